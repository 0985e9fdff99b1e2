# The classpath for CuratorDiscovery: Debian's Curator, ZooKeeper client and their dependencies.
J=/usr/share/java
echo "$J/curator-x-discovery.jar:$J/curator-framework.jar:$J/curator-client.jar:$J/zookeeper.jar:$J/zookeeper-jute.jar:$J/jackson-databind.jar:$J/jackson-core.jar:$J/jackson-annotations.jar:$J/guava.jar:$J/slf4j-api.jar:$J/slf4j-nop.jar:$J/netty-transport.jar:$J/netty-common.jar:$J/netty-handler.jar:$J/netty-buffer.jar:$J/netty-resolver.jar:$J/netty-codec.jar:$J/netty-transport-native-unix-common.jar:$J/netty-transport-native-epoll.jar:$J/commons-lang3.jar"
