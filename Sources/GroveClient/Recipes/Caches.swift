import Synchronization
import ZooKeeperWire

/// One cached node: its data and stat as last read.
public struct CachedNode: Hashable, Sendable {
  /// The node's bytes.
  public var data: [UInt8]
  /// The node's metadata.
  public var stat: Stat
}

/// Keeps a subtree (or one node) current through a persistent watch, as Curator's CuratorCache.
///
/// The watch is set before the first full read, so no change is missed; each event is followed
/// by a read of the node it names (creations and data changes) or the removal of the node and
/// its descendants (deletions). Persistent watches bring no catch-up events after a reconnect,
/// so the whole subtree is read again on `reconnected`. Replies and events share one ordered
/// connection, so the cache converges to the server's state once changes stop.
final class CacheEngine: Sendable {
  enum Input: Sendable {
    case event(WatchedEvent)
    case resync
  }

  let client: GroveClient
  let root: String
  let recursive: Bool
  private let state = Mutex<(nodes: [String: CachedNode], loaded: Bool)>(([:], false))
  private let subscribers = Mutex<[UInt64: AsyncStream<[String: CachedNode]>.Continuation]>([:])
  private let nextSubscriber = Atomic<UInt64>(0)
  private let tasks = Mutex<[Task<Void, Never>]>([])
  private let watchSlot = Mutex<PersistentWatch?>(nil)

  init(client: GroveClient, root: String, recursive: Bool) {
    self.client = client
    self.root = root
    self.recursive = recursive
  }

  /// Sets the watch, reads the subtree, and starts following changes.
  func start() async throws(ZooKeeperError) {
    let watch = try await client.watch(root, recursive: recursive)
    watchSlot.withLock { $0 = watch }
    let (inputs, feed) = AsyncStream.makeStream(of: Input.self)
    let events = Task {
      do {
        for try await event in watch { feed.yield(.event(event)) }
      } catch {}
      feed.finish()
    }
    let states = Task { [client] in
      for await state in client.sessionStates() where state == .reconnected { feed.yield(.resync) }
    }
    try await reload()
    let processor = Task {
      for await input in inputs {
        switch input {
        case .event(let event): await apply(event)
        case .resync: try? await reload()
        }
      }
      for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
    tasks.withLock { $0 = [events, states, processor] }
  }

  func stop() {
    watchSlot.withLock { $0 }?.remove()
    for task in tasks.withLock({ $0 }) { task.cancel() }
    for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
  }

  var nodes: [String: CachedNode] { state.withLock { $0.nodes } }

  func subscribe() -> AsyncStream<[String: CachedNode]> {
    let (stream, continuation) = AsyncStream.makeStream(of: [String: CachedNode].self, bufferingPolicy: .bufferingNewest(1))
    let id = nextSubscriber.wrappingAdd(1, ordering: .relaxed).oldValue
    subscribers.withLock { $0[id] = continuation }
    continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
    let current = state.withLock { $0.loaded ? $0.nodes : nil }
    if let current { continuation.yield(current) }
    return stream
  }

  private func publish() {
    let snapshot = state.withLock { $0.nodes }
    for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(snapshot) }
  }

  /// Reads the whole subtree again (level by level, each level's reads in flight together).
  private func reload() async throws(ZooKeeperError) {
    var fresh: [String: CachedNode] = [:]
    var level = [root]
    while !level.isEmpty {
      var next: [String] = []
      let reads: [(String, NodeData?, [String])] = await withTaskGroup(of: (String, NodeData?, [String]).self) { group in
        for path in level {
          group.addTask { [client, recursive] in
            let data = try? await client.getData(path)
            let children = recursive ? ((try? await client.getChildren(path).children) ?? []) : []
            return (path, data, children)
          }
        }
        var all: [(String, NodeData?, [String])] = []
        for await item in group { all.append(item) }
        return all
      }
      for (path, data, children) in reads {
        guard let data else { continue }
        fresh[path] = CachedNode(data: data.data, stat: data.stat)
        next += children.map { path == "/" ? "/" + $0 : path + "/" + $0 }
      }
      level = next
    }
    state.withLock { $0 = (fresh, true) }
    publish()
  }

  private func apply(_ event: WatchedEvent) async {
    switch event.type {
    case .nodeCreated, .nodeDataChanged:
      do throws(ZooKeeperError) {
        let data = try await client.getData(event.path)
        state.withLock { $0.nodes[event.path] = CachedNode(data: data.data, stat: data.stat) }
      } catch {
        if case .server(.noNode, _) = error { removeSubtree(event.path) } else { return }
      }
    case .nodeDeleted:
      removeSubtree(event.path)
    default:
      return
    }
    publish()
  }

  private func removeSubtree(_ path: String) {
    let prefix = path == "/" ? "/" : path + "/"
    state.withLock { state in
      state.nodes = state.nodes.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
    }
  }
}

/// A cache of one subtree kept current through a persistent recursive watch (as Curator's
/// CuratorCache): `snapshots()` yields the whole subtree after every change.
///
/// ```swift
/// let cache = try await TreeCache.start(client: client, path: "/services")
/// for await nodes in cache.snapshots() { print(nodes.keys.sorted()) }
/// ```
public final class TreeCache: Sendable {
  let engine: CacheEngine

  private init(engine: CacheEngine) { self.engine = engine }

  /// Sets the watch, reads the subtree and keeps following it until `stop()`.
  public static func start(client: GroveClient, path: String) async throws(ZooKeeperError) -> TreeCache {
    let engine = CacheEngine(client: client, root: path, recursive: true)
    try await engine.start()
    return TreeCache(engine: engine)
  }

  /// The subtree as last seen: path (relative to the chroot) to node.
  public var nodes: [String: CachedNode] { engine.nodes }

  /// The current subtree, then the subtree after each change (only the newest is buffered).
  /// Finishes when the cache stops or the session ends.
  public func snapshots() -> AsyncStream<[String: CachedNode]> { engine.subscribe() }

  /// Stops following changes and removes the watch.
  public func stop() { engine.stop() }
}

/// A cache of one node kept current through a persistent watch: `snapshots()` yields the node
/// (nil while it does not exist) after every change.
public final class NodeCache: Sendable {
  let engine: CacheEngine

  private init(engine: CacheEngine) { self.engine = engine }

  /// Sets the watch, reads the node and keeps following it until `stop()`.
  public static func start(client: GroveClient, path: String) async throws(ZooKeeperError) -> NodeCache {
    let engine = CacheEngine(client: client, root: path, recursive: false)
    try await engine.start()
    return NodeCache(engine: engine)
  }

  /// The node as last seen; nil when it does not exist.
  public var node: CachedNode? { engine.nodes[engine.root] }

  /// The current node, then the node after each change (nil while absent).
  public func snapshots() -> AsyncMapSequence<AsyncStream<[String: CachedNode]>, CachedNode?> {
    let root = engine.root
    return engine.subscribe().map { $0[root] }
  }

  /// Stops following changes and removes the watch.
  public func stop() { engine.stop() }
}
