"""The storefront: server-rendered pages for shoppers, over the same application layer and
read-model ports as the JSON API (`entrypoints/http/`)."""
