"""The dependency-injector container: the one place that picks adapters from settings."""

from dependency_injector import containers, providers

from commerce.adapters.elasticsearch.client import ElasticsearchCheck, create_client
from commerce.adapters.postgres.engine import PostgresCheck, create_engine
from commerce.adapters.redis.client import RedisCheck, create_redis
from commerce.settings import Settings


class Container(containers.DeclarativeContainer):
    """App-lifetime clients, created on first use; `close()` releases their connections."""

    settings = providers.Dependency(instance_of=Settings)

    engine = providers.Singleton(create_engine, settings.provided.database_url)
    redis = providers.Singleton(create_redis, settings.provided.redis_url)
    elasticsearch = providers.Singleton(create_client, settings.provided.elasticsearch_url)

    dependency_checks = providers.List(
        providers.Singleton(PostgresCheck, engine),
        providers.Singleton(RedisCheck, redis),
        providers.Singleton(ElasticsearchCheck, elasticsearch),
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def close(container: Container) -> None:
    await container.engine().dispose()
    await container.redis().aclose()
    await container.elasticsearch().close()
