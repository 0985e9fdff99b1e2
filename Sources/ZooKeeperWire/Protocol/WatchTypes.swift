/// What happened to a watched node (`Watcher.Event.EventType`).
public enum EventType: Int32, Sendable, CaseIterable {
  case none = -1
  case nodeCreated = 1
  case nodeDeleted = 2
  case nodeDataChanged = 3
  case nodeChildrenChanged = 4
  case dataWatchRemoved = 5
  case childWatchRemoved = 6
  case persistentWatchRemoved = 7
}

/// The session's state carried in a watch event (`Watcher.Event.KeeperState`).
public enum KeeperState: Int32, Sendable, CaseIterable {
  case unknown = -1
  case disconnected = 0
  case noSyncConnected = 1
  case syncConnected = 3
  case authFailed = 4
  case connectedReadOnly = 5
  case saslAuthenticated = 6
  case closed = 7
  case expired = -112
}

/// Which watches removeWatches / checkWatches address (`Watcher.WatcherType`).
public enum WatcherType: Int32, Sendable, CaseIterable {
  case children = 1
  case data = 2
  case any = 3
  case persistent = 4
  case persistentRecursive = 5
}

/// The mode of an addWatch request.
public enum AddWatchMode: Int32, Sendable, CaseIterable {
  case persistent = 0
  case persistentRecursive = 1
}
