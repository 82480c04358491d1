from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "journal_project.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from journal_project.accounts import signals  # noqa: F401
