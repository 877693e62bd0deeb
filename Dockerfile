# The EmbeddingStore server. Two stages: the SDK publishes a Release build, the ASP.NET runtime image runs it as a
# non-root user with the database on a volume.
#
#   docker build -t embeddingstore .
#
# Both base images are build arguments so the image can be built where no registry is reachable: deploy/local-base-images.sh
# builds stand-ins (Debian from debootstrap plus this machine's .NET); then
#   docker build --network host --build-arg SDK_IMAGE=embeddingstore-local/sdk:10.0 \
#     --build-arg RUNTIME_IMAGE=embeddingstore-local/aspnet:10.0 -t embeddingstore .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# What the server's build reads: the build settings, the SQL migrations it embeds, and the source projects.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY schema/sqlite/ schema/sqlite/
COPY src/ src/
# ReadyToRun: the server's own assemblies are precompiled, so a fresh container answers its first requests without
# waiting for the JIT (measured on the published server: CPU to /health/ready 1.50-1.56 s -> 1.22-1.37 s, first search
# 0.20-0.23 s -> 0.11-0.12 s; docs/bench/issue-13-batch-kernel.md). Hot SIMD loops are still re-JITted for this CPU.
RUN dotnet publish src/EmbeddingStore.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /app -p:UseAppHost=false

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app ./
# The data directory belongs to the runtime user (uid 1654, "app", as in Microsoft's images) and is a volume, so the
# database outlives the container.
RUN mkdir -p /data && chown 1654:1654 /data
VOLUME /data
# Loopback by default, like the server itself: with host networking (docker-compose.yml) that is the host's
# 127.0.0.1. To listen on all interfaces set Urls=http://0.0.0.0:5080 together with Auth__Keys__* (the server refuses
# to open a non-loopback address without keys). ASPNETCORE_HTTP_PORTS from Microsoft's image is cleared so that it
# neither overrides Urls nor trips that refusal.
ENV ASPNETCORE_HTTP_PORTS= \
    Urls=http://127.0.0.1:5080 \
    Storage__Path=/data/embeddingstore.db \
    Startup__WaitForLoad=false \
    Logging__Console__FormatterName=json \
    Logging__Console__FormatterOptions__IncludeScopes=true
EXPOSE 5080
# Healthy once /health/ready answers 200 (loaded, not shutting down). The runtime image has bash but no curl, so the
# check is one HTTP/1.0 request over bash's /dev/tcp, to the port named in Urls.
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "p=${Urls##*:}; p=${p%%/*}; exec 3<>/dev/tcp/127.0.0.1/$p && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
USER 1654
ENTRYPOINT ["dotnet", "EmbeddingStore.Server.dll"]
