"""The one table of who may do what. Routes declare a Permission, never a role."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    DASHBOARD_READ = "case:dashboard:read"
    PROPOSAL_READ = "case:proposal:read"
    PROPOSAL_UPDATE = "case:proposal:update"
    CONTACT_REVEAL = "case:contact:reveal"
    STATS_EXPORT = "case:stats:export"
    CASE_EXPORT = "case:export:contact"
    CASE_REOPEN = "case:proposal:reopen"
    RIGHTS_READ = "case:rights:read"
    RIGHTS_MANAGE = "case:rights:manage"
    COLLABORATOR_READ = "match:collaborator:read"
    COLLABORATOR_MANAGE = "match:collaborator:manage"
    AUDIT_READ = "audit:event:read"
    USER_MANAGE = "admin:user:manage"
    ACCOUNT_SELF = "account:self:manage"
    STORY_READ = "publish:story:read"
    STORY_WRITE = "publish:story:write"
    STORY_APPROVE = "publish:story:approve"
    STORY_PUBLISH = "publish:story:publish"
    STORY_UNPUBLISH = "publish:story:unpublish"


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    EDITOR = "editor"
    AUDITOR = "auditor"


ROLES = tuple(Role)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COORDINATOR: frozenset(
        {
            Permission.DASHBOARD_READ,
            Permission.PROPOSAL_READ,
            Permission.PROPOSAL_UPDATE,
            Permission.CONTACT_REVEAL,
            Permission.COLLABORATOR_READ,
            Permission.COLLABORATOR_MANAGE,
            Permission.STATS_EXPORT,
            Permission.ACCOUNT_SELF,
            Permission.RIGHTS_READ,
            Permission.RIGHTS_MANAGE,
            # Coordinators review stories (never the author: four eyes) and can take one
            # down in an emergency; writing and publishing are the editors' job.
            Permission.STORY_READ,
            Permission.STORY_APPROVE,
            Permission.STORY_UNPUBLISH,
        }
    ),
    # Editors and auditors never see contact data, not even masked (CONTACT_REVEAL gates
    # both the masked values and the reveal, for proposals and collaborators alike).
    Role.EDITOR: frozenset(
        {
            Permission.DASHBOARD_READ,
            Permission.PROPOSAL_READ,
            Permission.COLLABORATOR_READ,
            Permission.ACCOUNT_SELF,
            Permission.STORY_READ,
            Permission.STORY_WRITE,
            Permission.STORY_PUBLISH,
            Permission.STORY_UNPUBLISH,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Permission.DASHBOARD_READ,
            Permission.AUDIT_READ,
            Permission.RIGHTS_READ,  # that requests are answered in time; no contact data
            Permission.COLLABORATOR_READ,
            Permission.STATS_EXPORT,
            Permission.ACCOUNT_SELF,
            Permission.STORY_READ,  # stories hold no contact data; warnings name kinds only
        }
    ),
}


def allowed(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
