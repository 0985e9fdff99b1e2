import ZooKeeperWire

extension WatchRegistry {
  /// The events `changes` fire, in order, removing the one-shot watches that fired.
  ///
  /// Per change, as ZooKeeper's DataTree: a create triggers NodeCreated in the data table on the
  /// node, then NodeChildrenChanged in the child table on the parent; a delete triggers
  /// NodeDeleted in the data table, then NodeDeleted in the child table (skipping watchers
  /// already notified by the data table), then NodeChildrenChanged on the parent; a data change
  /// triggers NodeDataChanged in the data table. Each trigger notifies a watcher at most once,
  /// in watcher-id order; recursive watches on ancestors fire for every type but
  /// NodeChildrenChanged.
  public mutating func trigger(_ changes: [TreeChange]) -> [WatchEvent] {
    var events: [WatchEvent] = []
    for change in changes {
      switch change {
      case .nodeCreated(let path):
        _ = fire(path, .nodeCreated, child: false, suppressing: [], into: &events)
        if let parent = PathRules.parent(of: path) {
          _ = fire(parent, .nodeChildrenChanged, child: true, suppressing: [], into: &events)
        }
      case .nodeDeleted(let path):
        let notified = fire(path, .nodeDeleted, child: false, suppressing: [], into: &events)
        _ = fire(path, .nodeDeleted, child: true, suppressing: notified, into: &events)
        if let parent = PathRules.parent(of: path) {
          _ = fire(parent, .nodeChildrenChanged, child: true, suppressing: [], into: &events)
        }
      case .nodeDataChanged(let path):
        _ = fire(path, .nodeDataChanged, child: false, suppressing: [], into: &events)
      }
    }
    return events
  }

  /// ZooKeeper's `WatchManager.triggerWatch` on one table; returns the watchers notified.
  private mutating func fire(
    _ path: String, _ type: EventType, child: Bool, suppressing: Set<WatcherID>,
    into events: inout [WatchEvent]
  ) -> Set<WatcherID> {
    var notified: Set<WatcherID> = []
    var spent: [WatcherID] = []
    if let here = table(child)[PathKey(path)] {
      for (watcher, modes) in here {
        if modes.contains(.persistentRecursive) && type != .nodeChildrenChanged { notified.insert(watcher) }
        if modes.contains(.standard) {
          notified.insert(watcher)
          spent.append(watcher)
        }
        if modes.contains(.persistent) { notified.insert(watcher) }
      }
    }
    if recursiveCount > 0 && type != .nodeChildrenChanged {
      var ancestor = PathRules.parent(of: path)
      while let current = ancestor {
        for (watcher, modes) in table(child)[PathKey(current)] ?? [:] where modes.contains(.persistentRecursive) {
          notified.insert(watcher)
        }
        ancestor = current == "/" ? nil : PathRules.parent(of: current)
      }
    }
    for watcher in spent { _ = remove(path, watcher, .standard, child: child) }
    for watcher in notified.subtracting(suppressing).sorted() {
      events.append(WatchEvent(watcher: watcher, type: type, path: path))
    }
    return notified
  }

  /// setWatches / setWatches2 after a reconnect, as ZooKeeper's `DataTree.setWatches`: for each
  /// data watch, NodeDeleted now if the node is gone, NodeDataChanged now if its mzxid is after
  /// `relativeZxid`, else re-armed; for each exist watch, NodeCreated now if the node exists,
  /// else re-armed; for each child watch, NodeDeleted now if gone, NodeChildrenChanged now if
  /// its pzxid is after `relativeZxid`, else re-armed; persistent and recursive watches are
  /// re-armed without catch-up events. Returns the immediate events in that order.
  public mutating func setWatches(
    relativeZxid: Zxid, dataWatches: [String], existWatches: [String], childWatches: [String],
    persistentWatches: [String] = [], persistentRecursiveWatches: [String] = [],
    watcher: WatcherID, tree: DataTree
  ) -> [WatchEvent] {
    var events: [WatchEvent] = []
    for path in dataWatches {
      if let stat = tree.exists(path) {
        if stat.mzxid > relativeZxid {
          events.append(WatchEvent(watcher: watcher, type: .nodeDataChanged, path: path))
        } else {
          addDataWatch(path, watcher: watcher)
        }
      } else {
        events.append(WatchEvent(watcher: watcher, type: .nodeDeleted, path: path))
      }
    }
    for path in existWatches {
      if tree.exists(path) != nil {
        events.append(WatchEvent(watcher: watcher, type: .nodeCreated, path: path))
      } else {
        addDataWatch(path, watcher: watcher)
      }
    }
    for path in childWatches {
      if let stat = tree.exists(path) {
        if stat.pzxid > relativeZxid {
          events.append(WatchEvent(watcher: watcher, type: .nodeChildrenChanged, path: path))
        } else {
          addChildWatch(path, watcher: watcher)
        }
      } else {
        events.append(WatchEvent(watcher: watcher, type: .nodeDeleted, path: path))
      }
    }
    for path in persistentWatches { addWatch(path, watcher: watcher, mode: .persistent) }
    for path in persistentRecursiveWatches { addWatch(path, watcher: watcher, mode: .persistentRecursive) }
    return events
  }
}
