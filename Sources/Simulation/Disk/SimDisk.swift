import Persistence

/// One file's bytes: what readers see, what survives a crash, and the writes in between.
struct SimInode {
  var volatile: [UInt8] = []
  var durable: [UInt8] = []
  /// Writes since the last sync, in order: on a crash each is kept, lost or torn.
  var unsynced: [(offset: Int, bytes: [UInt8])] = []
  /// The volatile size is durable only after a sync (truncate and preallocate change it).
  var durableSize = 0
}

/// A directory's names: what `contentsOfDirectory` shows, and what survives a crash.
struct SimDirectory {
  var volatile: [String: Int] = [:]
  var durable: [String: Int] = [:]
}

/// Everything on the simulated disk, guarded by the file system's mutex.
struct SimDisk {
  var random: DiskRandom
  var faults: SimFileSystem.Faults
  var directories: [String: SimDirectory] = [:]
  var inodes: [Int: SimInode] = [:]
  var nextInode = 1
  /// Bumped by each crash: files opened before it are dead.
  var generation = 0
  var statistics = SimFileSystem.Statistics()
  /// Mutating operations so far, and the one at which to lose power (see `crash(atOperation:)`).
  var operations = 0
  var scheduledCrash: Int?

  init(random: DiskRandom, faults: SimFileSystem.Faults) {
    self.random = random
    self.faults = faults
    directories["/"] = SimDirectory()
  }

  func lookup(_ path: String) -> Int? {
    let (parent, name) = split(path)
    return directories[parent]?.volatile[name]
  }

  /// Counts a mutating operation; false if power is lost at it (the crash has then happened and
  /// the operation must fail without effect).
  mutating func proceed() -> Bool {
    operations += 1
    guard let scheduled = scheduledCrash, operations >= scheduled else { return true }
    scheduledCrash = nil
    crash()
    return false
  }

  mutating func spend(_ micros: UInt64) {
    statistics.elapsedMicroseconds += micros + (micros > 0 ? random.next() % (micros + 1) : 0)
  }

  mutating func write(_ bytes: [UInt8], at offset: Int, inode id: Int) -> Bool {
    spend(faults.writeLatencyMicroseconds)
    guard proceed() else { return false }
    if random.chance(faults.writeErrorProbability) { return false }
    statistics.writes += 1
    inodes[id]!.volatile.place(bytes, at: offset)
    inodes[id]!.unsynced.append((offset, bytes))
    return true
  }

  mutating func sync(inode id: Int) -> Bool {
    spend(faults.syncLatencyMicroseconds)
    guard proceed() else { return false }
    statistics.syncs += 1
    if random.chance(faults.syncErrorProbability) {
      // As Linux after a failed fsync: the pages are marked clean but never reached the disk.
      inodes[id]!.unsynced.removeAll()
      return false
    }
    inodes[id]!.durable = inodes[id]!.volatile
    inodes[id]!.durableSize = inodes[id]!.volatile.count
    inodes[id]!.unsynced.removeAll()
    return true
  }

  mutating func resize(inode id: Int, to size: Int) -> Bool {
    spend(faults.writeLatencyMicroseconds)
    guard proceed() else { return false }
    if size < inodes[id]!.volatile.count {
      inodes[id]!.volatile.removeSubrange(size...)
    } else {
      inodes[id]!.volatile.append(contentsOf: repeatElement(0, count: size - inodes[id]!.volatile.count))
    }
    return true
  }

  /// Power loss. Names revert to their last directory sync; each unsynced write is kept, lost,
  /// or torn (a prefix of it kept), independently; inodes no name refers to disappear.
  mutating func crash() {
    statistics.crashes += 1
    generation += 1
    for key in directories.keys.sorted() { directories[key]!.volatile = directories[key]!.durable }
    var live = Set<Int>()
    for directory in directories.values { live.formUnion(directory.durable.values) }
    for id in inodes.keys.sorted() {
      guard live.contains(id) else {
        inodes[id] = nil
        continue
      }
      var inode = inodes[id]!
      var image = inode.durable
      for write in inode.unsynced {
        switch random.next() % 3 {
        case 0: image.place(write.bytes, at: write.offset)
        case 1: break
        default:
          image.place(
            Array(write.bytes.prefix(Int(random.next() % UInt64(write.bytes.count + 1)))), at: write.offset)
        }
      }
      if image.count < inode.durableSize {
        image.append(contentsOf: repeatElement(0, count: inode.durableSize - image.count))
      }
      inode.volatile = image
      inode.durable = image
      inode.durableSize = image.count
      inode.unsynced.removeAll()
      inodes[id] = inode
    }
  }
}

extension Array where Element == UInt8 {
  /// Writes `bytes` at `offset`, zero-filling any gap and extending as needed.
  mutating func place(_ bytes: [UInt8], at offset: Int) {
    if count < offset + bytes.count {
      append(contentsOf: repeatElement(0, count: offset + bytes.count - count))
    }
    replaceSubrange(offset..<offset + bytes.count, with: bytes)
  }
}

/// SplitMix64: a small, fast, seeded generator; the disk's own, so its faults do not shift the
/// random choices of other simulated components.
struct DiskRandom {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func chance(_ probability: Double) -> Bool {
    guard probability > 0 else { return false }
    return Double(next() >> 11) / Double(1 << 53) < probability
  }
}
