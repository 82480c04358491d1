from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from monitoring import conf, instrumentation

        if conf.enabled():
            instrumentation.install()
        setting_changed.connect(_monitoring_setting_changed, dispatch_uid="monitoring.setting_changed")


def _monitoring_setting_changed(*, setting: str, **kwargs: Any) -> None:
    # Lets tests (and override_settings) switch collection on and off like a restart would.
    if setting != "MONITORING_ENABLED":
        return
    from monitoring import conf, instrumentation

    if conf.enabled():
        instrumentation.install()
    else:
        instrumentation.uninstall()
