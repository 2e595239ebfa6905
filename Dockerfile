# The API image for docker-compose. The relay and the workers will run from the same image.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
COPY projections ./projections
# /var/mail/commerce: where the `mail` service of docker-compose keeps the emails it receives.
RUN pip install --no-cache-dir -c constraints.txt . && useradd --system commerce \
    && install -d -o commerce /var/mail/commerce
USER commerce
ENV COMMERCE_HOST=0.0.0.0 COMMERCE_PORT=8000
EXPOSE 8000
CMD ["commerce", "serve", "--migrate"]
