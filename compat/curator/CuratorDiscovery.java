// Interop check with Curator's x-discovery (Debian's libcurator-discovery-java):
//   register CONNECT BASE NAME ID PORT SECONDS   registers an instance, prints READY, holds it
//   list CONNECT BASE NAME                       prints "id address port" per instance, sorted
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.UriSpec;

public class CuratorDiscovery {
  public static void main(String[] args) throws Exception {
    CuratorFramework client = CuratorFrameworkFactory.newClient(args[1], 10000, 5000, new RetryOneTime(200));
    client.start();
    client.blockUntilConnected();
    ServiceDiscovery<String> discovery = ServiceDiscoveryBuilder.builder(String.class)
        .client(client).basePath(args[2]).build();
    discovery.start();
    if (args[0].equals("register")) {
      ServiceInstance<String> instance = ServiceInstance.<String>builder()
          .name(args[3]).id(args[4]).address("10.0.0.7").port(Integer.parseInt(args[5]))
          .payload("java-payload").uriSpec(new UriSpec("{scheme}://{address}:{port}")).build();
      discovery.registerService(instance);
      System.out.println("READY");
      System.out.flush();
      Thread.sleep(Long.parseLong(args[6]) * 1000);
    } else {
      List<String> lines = new ArrayList<>();
      for (ServiceInstance<String> i : discovery.queryForInstances(args[3])) {
        lines.add(i.getId() + " " + i.getAddress() + " " + i.getPort() + " " + i.getPayload());
      }
      Collections.sort(lines);
      for (String line : lines) System.out.println(line);
    }
    discovery.close();
    client.close();
  }
}
