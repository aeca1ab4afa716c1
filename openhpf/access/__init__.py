"""Authorization (角色与权限): roles as data, separation of duties, data scope by center/branch.

Query API (import from openhpf.access.services or .selectors): has_permission, check_permission,
scope_queryset, user_clearance, user_roles, user_permissions. Writes: role_assign, role_revoke."""
