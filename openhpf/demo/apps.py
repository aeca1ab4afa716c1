from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic center (hpf generate, hpf demo, hpf simulate) and the bank simulator's commands
    (hpf bank-sim, hpf bank-sim-link): demo and test plumbing, outside the domain; no domain app imports it."""

    name = "openhpf.demo"
    label = "demo"
    verbose_name = "演示与模拟"
