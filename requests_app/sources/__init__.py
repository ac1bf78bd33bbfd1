"""Registry of data sources (DESIGN section 6). Apps register theirs in `AppConfig.ready()`:

    from requests_app.sources import register
    register(MySource)
"""

from requests_app.sources.base import DataSource, ErasureResult, SourceBusy

_REGISTRY: dict[str, type[DataSource]] = {}


def register(source_cls: type[DataSource]) -> type[DataSource]:
    if not source_cls.category or not source_cls.rule:
        raise ValueError(f"{source_cls.__name__} must declare a category and a rule")
    existing = _REGISTRY.get(source_cls.category)
    if existing is not None and existing is not source_cls:
        raise ValueError(f"category {source_cls.category!r} is already registered")
    _REGISTRY[source_cls.category] = source_cls
    return source_cls


def all_sources() -> list[DataSource]:
    return [cls() for cls in _REGISTRY.values()]


def source_get(category: str) -> DataSource:
    return _REGISTRY[category]()


def categories() -> list[str]:
    return list(_REGISTRY)


__all__ = ["DataSource", "ErasureResult", "SourceBusy", "all_sources", "categories", "register",
           "source_get"]
