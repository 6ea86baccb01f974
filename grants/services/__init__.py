from grants.services.applications import (
    application_answers_save,
    application_budget_line_delete,
    application_budget_line_save,
    application_document_upload,
    application_partner_delete,
    application_partner_save,
    application_project_save,
    application_start,
    application_submit,
    application_withdraw,
    missing_items,
)
from grants.services.calls import call_close, call_publish, call_save

__all__ = [
    "application_answers_save",
    "application_budget_line_delete",
    "application_budget_line_save",
    "application_document_upload",
    "application_partner_delete",
    "application_partner_save",
    "application_project_save",
    "application_start",
    "application_submit",
    "application_withdraw",
    "call_close",
    "call_publish",
    "call_save",
    "missing_items",
]
