"""Keep journal text, session messages, passwords and tokens out of logs and error reports."""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (mail_admins, the debug page in production) show structure, never content.

    Request bodies and frame variables can hold a person's journal text; reports keep
    only the names of POST fields and of local variables.
    """

    hidden_settings = SafeExceptionReporterFilter.hidden_settings

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, str]]:
        if self.is_active(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

    def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        for header in ("HTTP_AUTHORIZATION", "HTTP_COOKIE"):
            if header in meta:
                meta[header] = self.cleansed_substitute
        return meta
