import pytest

from commerce.settings import Settings, SettingsError, load_settings


def test_with_no_variables_the_settings_point_at_the_local_stack() -> None:
    settings = load_settings({})

    assert settings == Settings()
    assert settings.database_url == "postgresql://commerce:commerce@127.0.0.1:55432/commerce"
    assert settings.currency == "EUR"


def test_variables_override_defaults_and_numbers_are_decoded() -> None:
    settings = load_settings(
        {
            "COMMERCE_DATABASE_URL": "postgresql://shop:secret@db.internal:5432/shop",
            "COMMERCE_PORT": "9000",
            "COMMERCE_READINESS_TIMEOUT": "0.5",
            "COMMERCE_CURRENCY": "USD",
            "UNRELATED": "ignored",
        }
    )

    assert settings.database_url == "postgresql://shop:secret@db.internal:5432/shop"
    assert settings.port == 9000
    assert settings.readiness_timeout == 0.5
    assert settings.currency == "USD"


def test_the_api_url_is_where_this_machine_reaches_the_api_even_when_bound_to_every_address() -> (
    None
):
    def api_url(host: str) -> str:
        return load_settings({"COMMERCE_HOST": host, "COMMERCE_PORT": "8001"}).api_url

    assert Settings().api_url == "http://127.0.0.1:8000"
    assert api_url("shop.internal") == "http://shop.internal:8001"
    assert api_url("0.0.0.0") == "http://127.0.0.1:8001"  # noqa: S104 (a bind address, as docker's)
    assert api_url("::") == "http://127.0.0.1:8001"
    assert api_url("::1") == "http://[::1]:8001"


def test_trusted_proxies_are_none_unless_listed() -> None:
    listed = load_settings({"COMMERCE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,::1"})

    assert load_settings({}).proxies == []
    assert listed.proxies == ["10.0.0.0/8", "192.0.2.7", "::1"]


def test_a_misspelt_variable_stops_the_process_instead_of_being_ignored() -> None:
    with pytest.raises(SettingsError, match="COMMERCE_DATABSE_URL"):
        load_settings({"COMMERCE_DATABSE_URL": "postgresql://x@y/z"})


def test_the_stack_managers_own_variables_are_not_service_settings() -> None:
    assert load_settings({"COMMERCE_STACK_DIR": "/srv/stack"}) == Settings()


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("COMMERCE_PORT", "eighty", "COMMERCE_PORT"),
        ("COMMERCE_PORT", "70000", "COMMERCE_PORT"),
        ("COMMERCE_CURRENCY", "euro", "COMMERCE_CURRENCY"),
        ("COMMERCE_LOG_LEVEL", "LOUD", "COMMERCE_LOG_LEVEL"),
        ("COMMERCE_DATABASE_URL", "mysql://db/shop", "database_url must be a postgresql"),
        ("COMMERCE_REDIS_URL", "127.0.0.1:6379", "redis_url must be a redis"),
        ("COMMERCE_ELASTICSEARCH_URL", "es:9200", "elasticsearch_url must be a http"),
        ("COMMERCE_ELASTICSEARCH_TIMEOUT", "0", "COMMERCE_ELASTICSEARCH_TIMEOUT: Expected"),
        ("COMMERCE_ELASTICSEARCH_BREAKER_FAILURES", "0", "_BREAKER_FAILURES: Expected `int` >= 1"),
        ("COMMERCE_TRUSTED_PROXIES", "10.0.0.1, proxy.internal", "'proxy.internal' is not an IP"),
        ("COMMERCE_TRUSTED_PROXIES", "10.0.0.1/8", "'10.0.0.1/8' is not an IP"),
    ],
)
def test_an_invalid_value_is_refused_naming_what_is_wrong(
    variable: str, value: str, complaint: str
) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings({variable: value})
