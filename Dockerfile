# nn-playground server image. Builds anywhere Docker Hub is reachable; on a machine that
# cannot reach it, build a stand-in base first (see README, "Docker").
ARG BASE=python:3.11-slim
FROM ${BASE}

# Optional extras of the package: --build-arg EXTRAS=gpu adds the CUDA 12 build of JAX
# (run it with --gpus all -e JAX_PLATFORMS=cuda). Empty keeps the image CPU-only and small.
ARG EXTRAS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JAX_PLATFORMS=cpu \
    NN_PLAYGROUND_CACHE_DIR=/var/cache/nn-playground

WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY web ./web
# The compile cache's directory belongs to the server's user: a Docker volume or Kubernetes
# emptyDir mounted there (deploy/, compose.yaml) is then writable by it.
RUN pip install "./${EXTRAS:+[$EXTRAS]}" \
 && useradd --create-home --uid 10001 playground \
 && install -d -o playground -g playground /var/cache/nn-playground \
 && rm -rf /src

USER 10001
WORKDIR /home/playground
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["nn-playground", "--host", "0.0.0.0", "--port", "8000"]
