#!/usr/bin/env bash
# Create .venv-s3 with moto's server, the real S3-compatible server the upload tests store images in
# (`moto_server -p PORT`, started by tests/api/helpers/s3.rs on a free port).
exec bash "$(dirname "$0")/venv.sh" .venv-s3 tools/s3/requirements.txt moto_server "moto server"
