from commerce.adapters.memory.clock import FixedClock
from tests.product_events import a_product, stock_of
from tests.storefront import browser, signed_up, storefront_container, search_index, csrf_token
from tests.support import NOW

def test_smoke():
    container = storefront_container(FixedClock(NOW))
    product, events = a_product("Stainless steel kettle", brand="Acme", category="kitchen/kettles", variants=[("K-1", 2999, {"color": "red"})])
    _, stock = stock_of(product, "K-1", on_hand=3)
    search_index(container).project([*events, *stock])
    with browser(container) as client:
        home = client.get("/?q=kettle")
        print(home.status_code, home.headers)
        assert home.status_code == 200, home.text
        print(home.text[:3000])
        p = client.get(f"/products/{product.id}")
        assert p.status_code == 200, p.text
        print(client.get("/suggest?q=ket").text)
        print(client.get("/cart").status_code, client.get("/cart").headers.get("location"))
        signed_up(client)
        print(client.cookies)
        c = client.get("/cart"); print(c.status_code); assert c.status_code == 200, c.text
        print(client.get("/orders").status_code, client.get("/checkout").status_code)
        print(client.get(f"/products/{product.id}").text[-2500:])
