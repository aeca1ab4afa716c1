from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "openhpf.applications"
    label = "applications"
    verbose_name = "办件"

    def ready(self) -> None:
        from openhpf.core.todo import register_todo
        from openhpf.verification.selectors import review_rows

        from .rating_selectors import followup_open_count
        from .registry import ReviewSection, register_review_section
        from .rules import register_commands
        from .todo import register as register_todos

        register_commands()  # applications.rule_set_change through maker-checker (approvals)
        # the review screen's 核验结果: the verification answers of the application (masked, read-audited)
        register_review_section(ReviewSection("verification.answers", "核验结果", rows=review_rows, order=20))
        register_todo("applications.followups", "差评整改", "applications.followup", count=followup_open_count,
                      url_name="ratings:followups", order=60, hint="好差评中不满意、非常不满意的办件")
        register_todos()  # the work queue's 待办 (core.todo)
