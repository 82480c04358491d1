"""Reading the environment strictly: a setting either means what the operator wrote or stops the start.

One reader for every setting the app takes from the environment (journal_project/settings/
and journal_project/gunicorn.conf.py), so that each kind of value is read, and refused, the
same way everywhere:

* true/false: `true/false`, `1/0`, `yes/no`, `on/off`, any case, spaces around; anything
  else is refused (django-environ read every other word, `ture` or `maybe`, as false);
* numbers: Python's own reading (django-environ dropped every character but digits, `,`,
  `.` and `-` from a float, so `1e3` was 13 and `5s` was 5), finite, within the range the
  setting documents (a negative timeout, a zero time-to-live, a port above 65535 passed);
* text: taken literally (django-environ read a value starting with `$` as the name of
  another variable, so a secret such as `SECRET_KEY=$x9…` silently became the default);
* empty (or only spaces): the same as not set, for every kind, as it already was for the
  service URLs (`DATABASE_URL=` is the embedded default): env files and compose files
  write `VAR=` to mean "not set", and a required setting is still refused.

A refused value raises `ConfigurationError`, whose message is one line naming the variable,
its value and what it accepts. A process stopped by one prints that line alone, not a
traceback (`report_configuration_errors`, installed when this module is imported: every
process that reads the settings imports it first).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
BOOLEAN_HELP = "true or false, or 1/0, yes/no, on/off, in any case"


class ConfigurationError(ImproperlyConfigured):
    """A setting that cannot be used, said in one line (what the variable accepts)."""


def shown(value: str) -> str:
    return repr(value) if len(value) <= 80 else repr(value[:77] + "...")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _range_text(
    whole: bool, minimum: float | None, maximum: float | None, above: float | None, unit: str | None
) -> str:
    kind = ("a whole number" if whole else "a number") + (f" of {unit}" if unit else "")
    if above is not None:
        bound = f"above {_number(above)}" + (f" and at most {_number(maximum)}" if maximum is not None else "")
    elif minimum is not None and maximum is not None:
        bound = f"from {_number(minimum)} to {_number(maximum)}"
    elif minimum is not None:
        bound = f"of {_number(minimum)} or more" if not unit else f", {_number(minimum)} or more"
    elif maximum is not None:
        bound = f"of at most {_number(maximum)}" if not unit else f", at most {_number(maximum)}"
    else:
        return kind
    return f"{kind}{bound}" if bound.startswith(",") else f"{kind} {bound}"


class Env(environ.Env):
    """django-environ, strict: see the module's docstring. Used as `env = Env()`."""

    def given(self, var: str) -> str | None:
        """The variable's value, or None when it is not set or empty (only spaces)."""
        raw = self.ENVIRON.get(var)
        return raw if raw is not None and raw.strip() else None

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):  # type: ignore[no-untyped-def]
        raw = self.given(var)
        if raw is None:
            if default is self.NOTSET:
                raise ConfigurationError(f"{var} must be set (docs/configuration.md).")
            value = default
            if not parse_default or value is None:
                return value
        else:
            value = raw
        try:
            return self.parse_value(value, cast)
        except (ValueError, TypeError) as error:
            raise ConfigurationError(f"{var}={shown(str(raw))} cannot be read: {error}.") from None

    def bool(self, var: str, default: Any = environ.Env.NOTSET) -> bool:  # type: ignore[override]
        raw = self.given(var)
        if raw is None:
            return self.get_value(var, default=default)
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise self.refuse(var, BOOLEAN_HELP)

    def number(
        self,
        var: str,
        default: float | None,
        *,
        whole: bool,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
        unit: str | None = None,
    ) -> Any:
        """A number within its documented range, or a ConfigurationError saying the range."""
        raw = self.given(var)
        if raw is None:
            if default is None:
                raise self.refuse(var, _range_text(whole, minimum, maximum, above, unit))
            return default
        try:
            value: float = int(raw) if whole else float(raw)
        except ValueError:
            value = math.nan
        if (
            (isinstance(value, float) and not math.isfinite(value))
            or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
            or (above is not None and value <= above)
        ):
            raise self.refuse(var, _range_text(whole, minimum, maximum, above, unit))
        return value

    def int(  # type: ignore[override]
        self,
        var: str,
        default: Any = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        unit: str | None = None,
    ) -> int:
        return self.number(var, default, whole=True, minimum=minimum, maximum=maximum, unit=unit)

    def float(  # type: ignore[override]
        self,
        var: str,
        default: Any = None,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
        unit: str | None = None,
    ) -> float:
        return float(self.number(var, default, whole=False, minimum=minimum, maximum=maximum, above=above, unit=unit))

    def choice(self, var: str, default: str, choices: tuple[str, ...], accepts: str) -> str:
        """One of a few words, in any case and with spaces around; returned lower-case."""
        raw = self.given(var)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word not in choices:
            raise self.refuse(var, accepts)
        return word

    def list(self, var: str, cast: Any = None, default: Any = environ.Env.NOTSET) -> list:  # type: ignore[override]
        """Comma-separated, spaces around each item dropped (`a, b` was "a" and " b"), empty items too."""
        values = super().list(var, cast=cast, default=default)
        return [value.strip() if isinstance(value, str) else value for value in values if str(value).strip()]

    def refuse(self, var: str, accepts: str) -> ConfigurationError:
        """The error for a value this variable cannot take: `raise env.refuse("X", "a URL such as …")`.

        The one line for every refused value: `X must be <what it accepts> (not '<value>').`"""
        raw = self.ENVIRON.get(var)
        return ConfigurationError(f"{var} must be {accepts}" + ("." if raw is None else f" (not {shown(raw)})."))


def one_line(error: BaseException) -> str | None:
    """The line a process stopped by this error prints instead of a traceback, if it is a configuration error."""
    if isinstance(error, ConfigurationError):
        return f"ImproperlyConfigured: {error}"
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if isinstance(error, ModuleNotFoundError) and error.name and module and module.startswith(error.name):
        return (
            f"ImproperlyConfigured: DJANGO_SETTINGS_MODULE={shown(module)} cannot be imported: it must be "
            "journal_project.settings.production, journal_project.settings.base or journal_project.settings.test."
        )
    return None


_previous_hook: Callable[[type[BaseException], BaseException, TracebackType | None], Any] = sys.excepthook


def report_configuration_errors(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """sys.excepthook: a configuration error that stops a process (manage.py, celery) is one
    line on stderr; its traceback only pointed into the settings, not at what to change."""
    line = one_line(error)
    if line is None:
        _previous_hook(kind, error, traceback)
        return
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if sys.excepthook is sys.__excepthook__:
    sys.excepthook = report_configuration_errors
