import Glibc

/// One heap block of queued bytes; `start..<end` is still to be sent.
///
/// Bytes are copied in once, so the pointers handed to `sendmsg` stay valid for as long as the chunk
/// is queued, whatever the caller does with its own array.
final class WriteChunk {
  let base: UnsafeMutableRawPointer
  let capacity: Int
  var start = 0
  var end = 0

  init(capacity: Int) {
    self.capacity = capacity
    self.base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
  }

  deinit { base.deallocate() }

  var pending: Int { end - start }
  var room: Int { capacity - end }
}

/// A connection's outgoing bytes, in order.
///
/// Small writes are coalesced into shared blocks (so a burst of small replies becomes few iovecs and
/// one `sendmsg`); large writes get a block of their own. `queuedBytes` counts payload only.
struct WriteQueue {
  /// Writes up to this size are coalesced into a shared block.
  static let coalesceBytesMax = 8 * 1024
  /// The size of a shared block.
  static let sharedChunkBytes = 64 * 1024
  /// At most this many iovecs per sendmsg (well under IOV_MAX = 1024).
  static let iovecsPerSendMax = 64

  private var chunks: [WriteChunk] = []
  private var head = 0
  private(set) var queuedBytes = 0

  var isEmpty: Bool { queuedBytes == 0 }

  /// Appends a copy of `bytes`.
  mutating func append(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty, let source = bytes.baseAddress else { return }
    let count = bytes.count
    if count <= Self.coalesceBytesMax, head < chunks.count, let last = chunks.last, last.room >= count {
      (last.base + last.end).copyMemory(from: source, byteCount: count)
      last.end += count
    } else {
      let chunk = WriteChunk(capacity: count <= Self.coalesceBytesMax ? Self.sharedChunkBytes : count)
      chunk.base.copyMemory(from: source, byteCount: count)
      chunk.end = count
      chunks.append(chunk)
    }
    queuedBytes += count
  }

  /// Calls `body` with iovecs describing the first queued bytes (at most `iovecsPerSendMax`);
  /// returns what `body` returns. Valid only inside `body`.
  func withIovecs<R>(_ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
    let count = min(chunks.count - head, Self.iovecsPerSendMax)
    return withUnsafeTemporaryAllocation(of: iovec.self, capacity: max(count, 1)) { vectors in
      for index in 0..<count {
        let chunk = chunks[head + index]
        vectors[index] = iovec(iov_base: chunk.base + chunk.start, iov_len: chunk.pending)
      }
      return body(UnsafeBufferPointer(rebasing: vectors[0..<count]))
    }
  }

  /// Drops the first `sent` bytes, which the kernel accepted.
  mutating func consume(_ sent: Int) {
    precondition(sent >= 0 && sent <= queuedBytes, "consumed \(sent) of \(queuedBytes) queued bytes")
    var remaining = sent
    queuedBytes -= sent
    while remaining > 0 {
      let chunk = chunks[head]
      let taken = min(remaining, chunk.pending)
      chunk.start += taken
      remaining -= taken
      if chunk.pending == 0 { head += 1 }
    }
    if head == chunks.count {
      chunks.removeAll(keepingCapacity: chunks.count <= 16)
      head = 0
    } else if head >= 32 && head * 2 >= chunks.count {
      chunks.removeFirst(head)
      head = 0
    }
  }

  /// Drops everything (abort).
  mutating func removeAll() {
    chunks.removeAll()
    head = 0
    queuedBytes = 0
  }

  /// Traps unless `queuedBytes` equals the bytes pending in the chunks.
  func checkInvariants() {
    let pending = chunks[head...].reduce(0) { $0 + $1.pending }
    precondition(pending == queuedBytes, "write queue holds \(pending) bytes but counts \(queuedBytes)")
  }
}
