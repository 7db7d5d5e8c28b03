# The app image of docker-compose.yml (a reference, not used by the tests).
FROM python:3.11-slim

# pg_dump for `flask assembly backup` on PostgreSQL; its version must not be older than the
# server's (postgres:16 in docker-compose.yml; Debian bookworm ships 15, hence PGDG).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl ca-certificates gnupg \
    && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc \
       | gpg --dearmor -o /usr/share/keyrings/pgdg.gpg \
    && echo "deb [signed-by=/usr/share/keyrings/pgdg.gpg] http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e '.[production]' \
    && pybabel compile -d assembly/translations
RUN useradd --create-home assembly
USER assembly

# EVENTLET_NO_GREENDNS: see wsgi.py (gunicorn loads eventlet before wsgi.py can set it).
ENV ASSEMBLY_ENV=production HOST=0.0.0.0 PORT=5000 EVENTLET_NO_GREENDNS=yes
EXPOSE 5000
# One eventlet worker per process (see README, Production).
CMD ["gunicorn", "-k", "eventlet", "-w", "1", "--worker-connections", "4000", \
     "-b", "0.0.0.0:5000", "wsgi:app"]
