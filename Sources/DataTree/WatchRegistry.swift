import ZooKeeperWire

/// Identifies who armed a watch: the server maps each client connection to one.
public struct WatcherID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The id the server assigned.
  public var rawValue: UInt64
  /// Wraps a raw id.
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  /// Wraps a raw id.
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  /// Numeric order: the order events for one change are listed in.
  public static func < (a: WatcherID, b: WatcherID) -> Bool { a.rawValue < b.rawValue }
  /// "watcher N".
  public var description: String { "watcher \(rawValue)" }
}

/// A notification to deliver: a WatcherEvent (state SyncConnected) for one watcher.
public struct WatchEvent: Hashable, Sendable {
  /// Who to notify.
  public var watcher: WatcherID
  /// WatcherEvent.type.
  public var type: EventType
  /// WatcherEvent.path (server-side; the client strips its chroot).
  public var path: String

  /// An event for `watcher`.
  public init(watcher: WatcherID, type: EventType, path: String) {
    self.watcher = watcher
    self.type = type
    self.path = path
  }
}

/// The watches armed on one node, as ZooKeeper's server keeps them: a data table (getData and
/// exists watches, persistent and persistent-recursive watches) and a child table (getChildren
/// watches and persistent watches), each mapping a path to the watchers on it and their modes.
///
/// A pure value: arming, removal, `trigger(_:)` and the reconnect replay return events in a
/// deterministic order (change order, then ZooKeeper's order of triggers within a change, then
/// watcher id).
public struct WatchRegistry: Sendable {
  var dataTable: [PathKey: [WatcherID: WatchModes]] = [:]
  var childTable: [PathKey: [WatcherID: WatchModes]] = [:]
  var pathsByWatcher: [WatcherID: PathSet] = [:]
  /// Number of (path, watcher) pairs holding a recursive watch: when 0, triggers skip the walk
  /// up the ancestors, as ZooKeeper.
  var recursiveCount = 0

  /// An empty registry.
  public init() {}

  /// Arms a one-shot data watch (getData with watch, or exists with watch whether or not the
  /// node exists). Arming it twice still fires once.
  public mutating func addDataWatch(_ path: String, watcher: WatcherID) {
    add(path, watcher, .standard, child: false)
  }

  /// Arms a one-shot child watch (getChildren / getChildren2 with watch).
  public mutating func addChildWatch(_ path: String, watcher: WatcherID) {
    add(path, watcher, .standard, child: true)
  }

  /// addWatch: a persistent watch sits in both tables; a recursive one in the data table only
  /// (so it never fires NodeChildrenChanged), as ZooKeeper's `DataTree.addWatch`.
  public mutating func addWatch(_ path: String, watcher: WatcherID, mode: AddWatchMode) {
    switch mode {
    case .persistent:
      add(path, watcher, .persistent, child: false)
      add(path, watcher, .persistent, child: true)
    case .persistentRecursive:
      add(path, watcher, .persistentRecursive, child: false)
    }
  }

  /// checkWatches: whether `watcher` has a watch of `type` on `path` (false means NOWATCHER).
  public func contains(_ path: String, type: WatcherType, watcher: WatcherID) -> Bool {
    let data = dataTable[PathKey(path)]?[watcher] ?? []
    let child = childTable[PathKey(path)]?[watcher] ?? []
    switch type {
    case .children: return child.contains(.standard)
    case .data: return data.contains(.standard)
    case .persistent: return data.contains(.persistent) || child.contains(.persistent)
    case .persistentRecursive: return data.contains(.persistentRecursive)
    case .any: return !data.isEmpty || !child.isEmpty
    }
  }

  /// removeWatches: removes `watcher`'s watches of `type` on `path`, as ZooKeeper 3.9's
  /// `DataTree.removeWatch` (Children and Data remove one-shot watches, Persistent and
  /// PersistentRecursive their kind, Any everything). False when nothing was removed
  /// (NOWATCHER).
  public mutating func remove(_ path: String, type: WatcherType, watcher: WatcherID) -> Bool {
    switch type {
    case .children: return remove(path, watcher, .standard, child: true)
    case .data: return remove(path, watcher, .standard, child: false)
    case .persistent:
      let fromChild = remove(path, watcher, .persistent, child: true)
      let fromData = remove(path, watcher, .persistent, child: false)
      return fromChild || fromData
    case .persistentRecursive: return remove(path, watcher, .persistentRecursive, child: false)
    case .any:
      let fromChild = remove(path, watcher, .all, child: true)
      let fromData = remove(path, watcher, .all, child: false)
      return fromChild || fromData
    }
  }

  /// Forgets every watch of `watcher` (its connection closed).
  public mutating func removeAll(watcher: WatcherID) {
    guard let paths = pathsByWatcher[watcher] else { return }
    for path in paths {
      _ = remove(path, watcher, .all, child: true)
      _ = remove(path, watcher, .all, child: false)
    }
    pathsByWatcher[watcher] = nil
  }

  /// Number of armed (path, watcher, table) entries, for `wchs`.
  public var watchCount: Int {
    dataTable.values.reduce(0) { $0 + $1.count } + childTable.values.reduce(0) { $0 + $1.count }
  }

  /// Watchers holding at least one watch, sorted.
  public var watchers: [WatcherID] { pathsByWatcher.keys.sorted() }

  /// The paths `watcher` watches, sorted by bytes (for `wchc`).
  public func paths(of watcher: WatcherID) -> [String] {
    (pathsByWatcher[watcher] ?? []).sorted(by: PathRules.precedes)
  }

  /// Checks that the reverse index and the recursive count agree with the tables; traps with
  /// context otherwise. For tests and the simulator.
  public func checkInvariants() {
    var recursive = 0
    var expected: [WatcherID: Set<PathKey>] = [:]
    for (child, table) in [(false, dataTable), (true, childTable)] {
      for (path, entries) in table {
        precondition(!entries.isEmpty, "\(path.string): empty entry left in the table")
        for (watcher, modes) in entries {
          precondition(!modes.isEmpty, "\(path.string): empty modes for \(watcher)")
          precondition(!(child && modes.contains(.persistentRecursive)), "\(path.string): recursive watch in the child table")
          if modes.contains(.persistentRecursive) { recursive += 1 }
          expected[watcher, default: []].insert(path)
        }
      }
    }
    precondition(recursive == recursiveCount, "recursive count \(recursiveCount), tables hold \(recursive)")
    precondition(expected.keys.sorted() == pathsByWatcher.keys.sorted(), "watchers index out of date")
    for (watcher, paths) in expected {
      let indexed = Set((pathsByWatcher[watcher] ?? []).map(PathKey.init))
      precondition(indexed == paths, "\(watcher): paths index out of date")
    }
  }

  // MARK: Tables

  private mutating func add(_ path: String, _ watcher: WatcherID, _ mode: WatchModes, child: Bool) {
    let before = table(child)[PathKey(path)]?[watcher] ?? []
    if child {
      childTable[PathKey(path), default: [:]][watcher, default: []].insert(mode)
    } else {
      dataTable[PathKey(path), default: [:]][watcher, default: []].insert(mode)
    }
    if mode == .persistentRecursive && !before.contains(.persistentRecursive) { recursiveCount += 1 }
    pathsByWatcher[watcher, default: []].insert(path)
  }

  /// Removes `modes` of `watcher` on `path` from one table; true if any was there.
  mutating func remove(_ path: String, _ watcher: WatcherID, _ modes: WatchModes, child: Bool) -> Bool {
    guard let current = table(child)[PathKey(path)]?[watcher], !current.isDisjoint(with: modes) else { return false }
    let left = current.subtracting(modes)
    if current.contains(.persistentRecursive) && !left.contains(.persistentRecursive) { recursiveCount -= 1 }
    if child {
      childTable[PathKey(path)]![watcher] = left.isEmpty ? nil : left
      if childTable[PathKey(path)]!.isEmpty { childTable[PathKey(path)] = nil }
    } else {
      dataTable[PathKey(path)]![watcher] = left.isEmpty ? nil : left
      if dataTable[PathKey(path)]!.isEmpty { dataTable[PathKey(path)] = nil }
    }
    if dataTable[PathKey(path)]?[watcher] == nil && childTable[PathKey(path)]?[watcher] == nil {
      pathsByWatcher[watcher]?.remove(path)
      if pathsByWatcher[watcher]?.isEmpty == true { pathsByWatcher[watcher] = nil }
    }
    return true
  }

  func table(_ child: Bool) -> [PathKey: [WatcherID: WatchModes]] { child ? childTable : dataTable }
}

/// The modes one watcher holds on one path in one table. ZooKeeper 3.9 keeps them side by side
/// (3.6–3.8 let a later one replace an earlier one, a bug it fixed).
struct WatchModes: OptionSet, Hashable, Sendable {
  var rawValue: UInt8
  static let standard = WatchModes(rawValue: 1)
  static let persistent = WatchModes(rawValue: 2)
  static let persistentRecursive = WatchModes(rawValue: 4)
  static let all: WatchModes = [.standard, .persistent, .persistentRecursive]
}
