# The Eddy bundle as an image. Build: docker build -t eddy .
# Run a node: docker run --network host -v /shared/eddy:/data -e EDDY_NODE_HOST=10.0.0.1 \
#   -e EDDY_NODE_MEMBERS=10.0.0.1,10.0.0.2,10.0.0.3 -e EDDY_NODE_REST_TOKEN=... eddy
# Every node.json key can be set as EDDY_NODE_<KEY> (see README, "Running a cluster"); no edited file is needed.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY platform platform
COPY verticles verticles
COPY connectors connectors
COPY deployer deployer
COPY examples examples
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/eddy eddy
WORKDIR /opt/eddy
COPY --from=build /src/examples/target/eddy-examples.jar eddy.jar
COPY conf conf
# set EDDY_NODE_HOST to the address to bind (with --network host: the host's cluster address), and
# EDDY_NODE_PUBLIC_HOST when the others reach the node at another address; the default binds loopback only
ENV EDDY_NODE_CHECKPOINT_DIRECTORY=/data/checkpoints \
    EDDY_NODE_PATH_ROOTS=/data \
    EDDY_NODE_EVENT_BUS_PORT=5801
RUN mkdir -p /data && chown eddy /data
USER eddy
VOLUME /data
EXPOSE 8081 5701 5801
ENTRYPOINT ["java", "-jar", "eddy.jar"]
CMD ["node", "--conf", "conf/node.json"]
