"""The dependency-injector container: the one place that picks adapters from settings."""

import logging
import secrets

from dependency_injector import containers, providers

from commerce.adapters.elasticsearch.breaker import CircuitBreaker
from commerce.adapters.elasticsearch.cart_views import ElasticsearchCartViews
from commerce.adapters.elasticsearch.client import ElasticsearchCheck, create_client
from commerce.adapters.elasticsearch.errors import ELASTICSEARCH
from commerce.adapters.elasticsearch.order_views import ElasticsearchOrderViews
from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.elasticsearch.promotion_views import ElasticsearchPromotionViews
from commerce.adapters.elasticsearch.review_views import ElasticsearchReviewViews
from commerce.adapters.notify.smtp import SmtpNotifier
from commerce.adapters.notify.templates import JinjaEmailTemplates
from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.adapters.postgres.accounts import PostgresAccountProfiles
from commerce.adapters.postgres.back_in_stock import PostgresBackInStockRequests
from commerce.adapters.postgres.engine import PostgresCheck, create_engine
from commerce.adapters.postgres.idempotency import PostgresIdempotencyStore
from commerce.adapters.postgres.notification_log import PostgresNotificationLog
from commerce.adapters.postgres.revocations import PostgresTokenRevocations
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.redis.client import RedisCheck, create_redis
from commerce.adapters.redis.heartbeats import RedisPipelineLiveness
from commerce.adapters.redis.login_throttle import RedisLoginThrottle
from commerce.adapters.redis.projection_progress import RedisProjectionProgress
from commerce.adapters.redis.revocations import RedisTokenRevocations
from commerce.adapters.security.argon2_hasher import Argon2PasswordHasher
from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.adapters.system_clock import SystemClock
from commerce.adapters.token_revocations import CachedTokenRevocations
from commerce.settings import Settings

logger = logging.getLogger(__name__)


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
    logger.warning(
        "COMMERCE_JWT_SECRET is not set: using a random secret for this process only; "
        "set it in any deployment with more than one process"
    )
    return secrets.token_urlsafe(48)


class Container(containers.DeclarativeContainer):
    """App-lifetime clients, created on first use; `close()` releases their connections.
    HTTP handlers get each provider as a dependency of the same name (`http/dependencies.py`)."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)

    engine = providers.Singleton(create_engine, settings.provided.database_url)
    redis = providers.Singleton(create_redis, settings.provided.redis_url)
    # The read models' client: bounded, behind a circuit breaker shared by every query port.
    elasticsearch = providers.Singleton(
        create_client,
        settings.provided.elasticsearch_url,
        settings.provided.elasticsearch_timeout,
        providers.Singleton(
            CircuitBreaker,
            ELASTICSEARCH,
            settings.provided.elasticsearch_breaker_failures,
            settings.provided.elasticsearch_breaker_cool_down,
        ),
    )
    # Readiness asks the server itself, past the breaker.
    elasticsearch_unguarded = providers.Singleton(
        create_client, settings.provided.elasticsearch_url, settings.provided.readiness_timeout
    )

    uow = providers.Factory(PostgresUnitOfWork, engine, clock)
    product_search = providers.Singleton(
        ElasticsearchProductSearch, elasticsearch, settings.provided.index_prefix
    )
    cart_views = providers.Singleton(
        ElasticsearchCartViews,
        elasticsearch,
        settings.provided.index_prefix,
        settings.provided.currency,
    )
    order_views = providers.Singleton(
        ElasticsearchOrderViews, elasticsearch, settings.provided.index_prefix
    )
    review_views = providers.Singleton(
        ElasticsearchReviewViews, elasticsearch, settings.provided.index_prefix
    )
    promotion_views = providers.Singleton(
        ElasticsearchPromotionViews, elasticsearch, settings.provided.index_prefix
    )

    # Signs access tokens, and the storefront's CSRF tokens (each with a purpose of its own).
    secret = providers.Singleton(jwt_secret, settings)
    token_issuer = providers.Singleton(
        JwtTokenIssuer, secret, settings.provided.access_token_ttl, clock
    )
    # PostgreSQL is the record of revoked tokens; Redis caches it (ADR 0007).
    token_revocations = providers.Singleton(
        CachedTokenRevocations,
        providers.Singleton(
            PostgresTokenRevocations, engine, clock, settings.provided.access_token_ttl
        ),
        providers.Singleton(
            RedisTokenRevocations, redis, clock, settings.provided.access_token_ttl
        ),
    )
    projection_progress = providers.Singleton(RedisProjectionProgress, redis)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    login_throttle = providers.Singleton(RedisLoginThrottle, redis)
    account_profiles = providers.Singleton(PostgresAccountProfiles, engine)
    idempotency_store = providers.Singleton(PostgresIdempotencyStore, engine)
    payment_gateway = providers.Singleton(SandboxPaymentGateway, engine)

    notifier = providers.Singleton(
        SmtpNotifier,
        settings.provided.smtp_url,
        settings.provided.mail_from,
        settings.provided.store_name,
        settings.provided.smtp_timeout,
    )
    email_templates = providers.Singleton(
        JinjaEmailTemplates, settings.provided.store_name, settings.provided.store_url
    )
    notification_log = providers.Singleton(PostgresNotificationLog, engine)
    back_in_stock_requests = providers.Singleton(PostgresBackInStockRequests, engine)

    pipeline_liveness = providers.Singleton(RedisPipelineLiveness, redis)
    dependency_checks = providers.List(
        providers.Singleton(PostgresCheck, engine),
        providers.Singleton(RedisCheck, redis),
        providers.Singleton(ElasticsearchCheck, elasticsearch_unguarded),
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def close(container: Container) -> None:
    await container.engine().dispose()
    await container.redis().aclose()
    await container.elasticsearch().close()
    await container.elasticsearch_unguarded().close()
