"""The one small registry every kind of backend uses (embeddings, answerers, Chroma clients):
a backend registers its factory by name in its own module, and settings choose it by that name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from assistant.core.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what_en: str, what_el: str) -> None:
        self.what_en, self.what_el = what_en, what_el
        self.factories: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(factory: T) -> T:
            self.factories[name] = factory
            return factory

        return add

    def __contains__(self, name: str) -> bool:
        return name in self.factories

    def __iter__(self):
        return iter(self.factories)

    def get(self, name: str) -> T:
        if name not in self.factories:
            known = ", ".join(self.factories)
            raise ConfigError(
                f"Unknown {self.what_en} '{name}' (known: {known})",
                f"Άγνωστο {self.what_el} «{name}» (διαθέσιμα: {known})",
            )
        return self.factories[name]
