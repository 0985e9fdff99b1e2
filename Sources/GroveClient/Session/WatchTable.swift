import ZooKeeperWire

/// The watches a session holds, by kind and server path, with the watchers behind each.
///
/// As ZooKeeper's client watch manager: a server notification fires the one-shot watchers of
/// its kind (and forgets them) plus the persistent watchers of the path and, except for child
/// changes, the persistent-recursive watchers of the path and every ancestor. Iteration that
/// reaches an output is sorted, so the table's behaviour is deterministic.
struct WatchTable {
  private var byKind: [WatchKind: [String: [WatcherToken]]] = [:]
  private var location: [WatcherToken: (kind: WatchKind, path: String)] = [:]

  /// The number of registered watchers.
  var count: Int { location.count }

  /// Whether any persistent (or persistent-recursive) watch is held: then re-registration needs
  /// setWatches2, as the Java client decides.
  var hasPersistent: Bool {
    !(byKind[.persistent]?.isEmpty ?? true) || !(byKind[.persistentRecursive]?.isEmpty ?? true)
  }

  /// Records `token` as a watcher of `kind` on `path`, replacing an earlier registration of it.
  mutating func add(_ token: WatcherToken, kind: WatchKind, path: String) {
    remove(token)
    byKind[kind, default: [:]][path, default: []].append(token)
    location[token] = (kind, path)
  }

  /// Forgets `token`. Returns its kind and path, and whether no watcher of that kind is left on
  /// the path (so the server's watch can be removed).
  @discardableResult
  mutating func remove(_ token: WatcherToken) -> (kind: WatchKind, path: String, lastOfKind: Bool)? {
    guard let (kind, path) = location.removeValue(forKey: token) else { return nil }
    var tokens = byKind[kind]?[path] ?? []
    tokens.removeAll { $0 == token }
    byKind[kind]?[path] = tokens.isEmpty ? nil : tokens
    return (kind, path, tokens.isEmpty)
  }

  /// Whether any watcher is registered on `path` (any kind).
  func hasWatchers(on path: String) -> Bool {
    WatchKind.allCases.contains { !(byKind[$0]?[path]?.isEmpty ?? true) }
  }

  /// The watchers `type` on `path` fires, sorted; one-shot ones are forgotten.
  mutating func fire(_ type: EventType, path: String) -> [WatcherToken] {
    var fired: [WatcherToken] = []
    func takeOneShot(_ kind: WatchKind) {
      guard let tokens = byKind[kind]?.removeValue(forKey: path) else { return }
      for token in tokens { location[token] = nil }
      fired.append(contentsOf: tokens)
    }
    switch type {
    case .nodeCreated, .nodeDataChanged:
      takeOneShot(.data)
      takeOneShot(.exist)
    case .nodeChildrenChanged:
      takeOneShot(.child)
    case .nodeDeleted:
      takeOneShot(.data)
      takeOneShot(.exist)
      takeOneShot(.child)
    case .none, .dataWatchRemoved, .childWatchRemoved, .persistentWatchRemoved:
      return []
    }
    fired.append(contentsOf: byKind[.persistent]?[path] ?? [])
    if type != .nodeChildrenChanged, let recursive = byKind[.persistentRecursive] {
      var prefix = path
      while true {
        fired.append(contentsOf: recursive[prefix] ?? [])
        if prefix == "/" { break }
        let cut = prefix.lastIndex(of: "/")!
        prefix = cut == prefix.startIndex ? "/" : String(prefix[..<cut])
      }
    }
    return Array(Set(fired)).sorted()
  }

  /// Forgets every watcher; returns them sorted.
  mutating func removeAll() -> [WatcherToken] {
    let all = location.keys.sorted()
    byKind = [:]
    location = [:]
    return all
  }

  /// The sorted paths holding watches of `kind`.
  func paths(_ kind: WatchKind) -> [String] {
    (byKind[kind] ?? [:]).filter { !$0.value.isEmpty }.keys.sorted()
  }

  /// Path bytes per re-registration packet, as the Java client (to stay under jute.maxbuffer).
  static let setWatchesPathBytesMax = 128 * 1024

  /// The requests that re-arm every watch after a reconnect, relative to `zxid`: setWatches
  /// when only one-shot watches are held, else setWatches2; split into packets of at most
  /// `setWatchesPathBytesMax` path bytes.
  func reRegistration(relativeZxid zxid: Zxid) -> [ClientRequest] {
    let kinds: [WatchKind] = [.data, .exist, .child, .persistent, .persistentRecursive]
    var packets: [ClientRequest] = []
    var lists: [WatchKind: [String]] = [:]
    var bytes = 0
    func flush() {
      guard !lists.isEmpty else { return }
      if hasPersistent {
        packets.append(
          .setWatches2(
            SetWatches2(
              relativeZxid: zxid, dataWatches: lists[.data] ?? [], existWatches: lists[.exist] ?? [],
              childWatches: lists[.child] ?? [], persistentWatches: lists[.persistent] ?? [],
              persistentRecursiveWatches: lists[.persistentRecursive] ?? [])))
      } else {
        packets.append(
          .setWatches(
            SetWatches(
              relativeZxid: zxid, dataWatches: lists[.data] ?? [], existWatches: lists[.exist] ?? [],
              childWatches: lists[.child] ?? [])))
      }
      lists = [:]
      bytes = 0
    }
    for kind in kinds {
      for path in paths(kind) {
        let size = path.utf8.count
        if bytes + size > Self.setWatchesPathBytesMax { flush() }
        lists[kind, default: []].append(path)
        bytes += size
      }
    }
    flush()
    return packets
  }

  /// Checks the two indexes agree.
  func checkInvariants() {
    var counted = 0
    for (kind, paths) in byKind {
      for (path, tokens) in paths {
        for token in tokens {
          precondition(location[token]?.kind == kind && location[token]?.path == path, "watch index disagrees")
          counted += 1
        }
      }
    }
    precondition(counted == location.count, "watch index counts differ: \(counted) vs \(location.count)")
  }
}

extension WatchTable {
  /// Whether `token` is registered.
  func contains(_ token: WatcherToken) -> Bool { location[token] != nil }
}
