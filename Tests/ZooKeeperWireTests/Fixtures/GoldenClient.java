// The Java-client half of the golden capture: run by capture.sh against capture.py's proxy.
//
// Usage: java -cp <dir>:/usr/share/java/zookeeper.jar GoldenClient HOST:PORT CONTROL_PORT
//
// Sends what kazoo 2.11 cannot: create2 / createContainer / createTTL, a null data buffer,
// multi with container and TTL creates, multiRead, getEphemerals, getAllChildrenNumber,
// whoAmI, addWatch (both modes), checkWatches and removeWatches, getConfig, reconfig with
// null lists, and setWatches / setWatches2 replayed after capture.py drops the connection
// (connecting to CONTROL_PORT does that).
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;

public class GoldenClient {
  static final LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();

  static WatchedEvent next(String what) throws Exception {
    WatchedEvent e = events.poll(10, TimeUnit.SECONDS);
    if (e == null) throw new IllegalStateException("no event: " + what);
    return e;
  }

  static void awaitState(Watcher.Event.KeeperState state) throws Exception {
    while (true) {
      WatchedEvent e = next("state " + state);
      if (e.getType() == Watcher.Event.EventType.None && e.getState() == state) return;
    }
  }

  static void awaitNode(Watcher.Event.EventType type, String path) throws Exception {
    while (true) {
      WatchedEvent e = next(type + " " + path);
      if (e.getType() == type && path.equals(e.getPath())) return;
    }
  }

  interface Call { void run() throws Exception; }

  static void expectError(Call call) throws Exception {
    try {
      call.run();
    } catch (KeeperException e) {
      return;
    }
    throw new IllegalStateException("expected a KeeperException");
  }

  static void dropConnection(int controlPort) throws Exception {
    new Socket("127.0.0.1", controlPort).close();
    awaitState(Watcher.Event.KeeperState.Disconnected);
    awaitState(Watcher.Event.KeeperState.SyncConnected);
  }

  public static void main(String[] args) throws Exception {
    String hosts = args[0];
    int controlPort = Integer.parseInt(args[1]);
    Watcher watcher = events::add;
    ZooKeeperAdmin zk = new ZooKeeperAdmin(hosts, 4000, watcher);
    awaitState(Watcher.Event.KeeperState.SyncConnected);
    zk.addAuthInfo("digest", "golden:secret".getBytes("UTF-8"));

    Stat stat = new Stat();
    zk.create("/j", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    zk.getData("/j", false, stat);
    zk.create("/j/c2", "two".getBytes("UTF-8"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat);
    zk.create("/j/container", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER, stat);
    zk.create("/j/ttl", "t".getBytes("UTF-8"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, stat, 600000);
    zk.create("/j/ttlseq-", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, stat, 600000);
    zk.create("/j/mine", new byte[0], Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
    zk.create("/j/eph", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

    zk.getEphemerals("/");
    zk.getEphemerals("/j/e");
    zk.getAllChildrenNumber("/j");
    zk.whoAmI();
    zk.getConfig(false, stat);
    expectError(() -> zk.reconfigure(null, "3", null, -1, stat));

    List<Op> writes = Arrays.asList(
        Op.create("/j/m-container", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER),
        Op.create("/j/m-ttl", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 600000),
        Op.create("/j/m-seq-", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
        Op.setData("/j/c2", "m".getBytes("UTF-8"), -1),
        Op.check("/j/c2", 1),
        Op.delete("/j/m-container", -1));
    zk.multi(writes);
    zk.multi(Arrays.asList(
        Op.getData("/j/c2"), Op.getChildren("/j"), Op.getData("/j/absent"), Op.getChildren("/j/absent")));

    // One-shot watches only, then a dropped connection: the client replays them with setWatches.
    zk.exists("/j/later", true);
    zk.getData("/j/c2", true, stat);
    zk.getChildren("/j", true);
    dropConnection(controlPort);
    zk.create("/j/later", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    awaitNode(Watcher.Event.EventType.NodeCreated, "/j/later");
    awaitNode(Watcher.Event.EventType.NodeChildrenChanged, "/j");

    // Persistent watches, checked and removed, then replayed with setWatches2.
    zk.addWatch("/j/c2", AddWatchMode.PERSISTENT);
    zk.addWatch("/j", AddWatchMode.PERSISTENT_RECURSIVE);
    Watcher dataWatcher = e -> {};
    zk.getData("/j/later", dataWatcher, stat);
    zk.removeWatches("/j/later", dataWatcher, Watcher.WatcherType.Data, false);
    expectError(() -> zk.removeWatches("/j/later", dataWatcher, Watcher.WatcherType.Data, false));
    zk.getChildren("/j/later", true);
    zk.removeAllWatches("/j/later", Watcher.WatcherType.Children, false);
    expectError(() -> zk.removeAllWatches("/j/later", Watcher.WatcherType.Children, false));
    dropConnection(controlPort);
    zk.setData("/j/c2", "after".getBytes("UTF-8"), -1);
    awaitNode(Watcher.Event.EventType.NodeDataChanged, "/j/c2");
    zk.delete("/j/later", -1);
    awaitNode(Watcher.Event.EventType.NodeDeleted, "/j/later");

    zk.close();
    System.out.println("java capture done");
  }
}
