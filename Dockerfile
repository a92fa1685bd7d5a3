# JupyterLab with the Rust (rangeo) kernel on the Jupyter docker-stacks base: the image a
# JupyterHub (z2jh `singleuser.image`) or Galaxy's interactive tool starts. The README's
# "JupyterHub" section says how to build and deploy it.
FROM quay.io/jupyter/minimal-notebook:python-3.12

# docker-stacks' convention: root to install, then the notebook user (NB_UID, 1000).
# hadolint ignore=DL3066
USER root
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# The Rust toolchain under /opt, outside any home volume and readable by every user: each
# cell is compiled with it. rust-src gives completion and hover docs for std.
ARG RUST_VERSION=1.95.0
ENV RUSTUP_HOME=/opt/rustup \
    CARGO_HOME=/opt/cargo \
    PATH=/opt/cargo/bin:${PATH}
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --no-modify-path --profile minimal --component rust-src \
      --default-toolchain "${RUST_VERSION}" \
    && chmod -R a+rX /opt/rustup /opt/cargo

# The same steps as the README's setup (scripts/install.sh, which setup.sh and test.sh
# share): the Debian packages, the kernel, the runtime built into /opt/rangeo/target (the
# compiled cache every cell links against, so no kernel builds it at start), and the
# kernelspec in the image's Python prefix, system-wide, where a persistent home volume
# mounted over /home/jovyan cannot hide it.
COPY . /opt/rangeo
# The image runs on other machines than the one that builds it: compile for a CPU level
# they all have (x86-64-v3, AVX2), not the builder's (the checkout's
# .cargo/config.toml says native; RUSTFLAGS replaces it).
ARG RUSTFLAGS="-C target-cpu=x86-64-v3"
RUN /opt/rangeo/scripts/install.sh "${CONDA_DIR}" \
    && rm -rf /opt/rangeo/target/release/incremental /opt/cargo/registry/cache \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && chmod -R a+rX /opt/rangeo

# hadolint ignore=DL3066
USER ${NB_UID}
WORKDIR ${HOME}
