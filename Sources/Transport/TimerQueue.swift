/// The loop's timers: a binary min-heap of deadlines with lazy cancellation.
///
/// Timers fire in deadline order; timers with equal deadlines fire in the order they were scheduled
/// (the id breaks ties, and ids only grow). A repeating timer keeps its id and is due again one
/// period after its previous deadline; periods missed while the loop was busy are skipped, not
/// fired in a burst. Cancelling removes the callback at once and leaves a
/// stale heap entry that is skipped when it surfaces; when stale entries outnumber live ones the heap
/// is rebuilt, so a caller that cancels and reschedules often (session timeouts) keeps it bounded.
struct TimerQueue {
  private struct Entry {
    var deadlineNs: UInt64
    var id: TimerID
    func fires(before other: Entry) -> Bool {
      (deadlineNs, id.rawValue) < (other.deadlineNs, other.id.rawValue)
    }
  }

  private struct Timer {
    var body: () -> Void
    /// Nil for a one-shot timer.
    var periodNs: UInt64?
  }

  private var heap: [Entry] = []
  private var callbacks: [TimerID: Timer] = [:]
  private var nextID: UInt64 = 1

  /// Live (scheduled, not fired, not cancelled) timers.
  var count: Int { callbacks.count }

  /// Schedules `body` at `deadlineNs` (monotonic); returns its id.
  /// With `periodNs`, the timer repeats until cancelled.
  mutating func schedule(atNs deadlineNs: UInt64, periodNs: UInt64? = nil, _ body: @escaping () -> Void)
    -> TimerID
  {
    precondition(periodNs != 0, "a repeating timer needs a positive period")
    let id = TimerID(rawValue: nextID)
    nextID += 1
    callbacks[id] = Timer(body: body, periodNs: periodNs)
    push(Entry(deadlineNs: deadlineNs, id: id))
    return id
  }

  /// Cancels a timer; false when it already fired, was cancelled, or never existed.
  mutating func cancel(_ id: TimerID) -> Bool {
    guard callbacks.removeValue(forKey: id) != nil else { return false }
    if heap.count > 64 && heap.count > 2 * callbacks.count { rebuild() }
    return true
  }

  /// The earliest live deadline, dropping stale entries on the way.
  mutating func nextDeadlineNs() -> UInt64? {
    while let top = heap.first {
      if callbacks[top.id] != nil { return top.deadlineNs }
      _ = pop()
    }
    return nil
  }

  /// Removes (one-shot) or re-arms (repeating) the first live timer due at `nowNs` and returns its
  /// callback; nil when none is due. The loop takes one at a time, so a callback that cancels a
  /// later timer of the same instant prevents it. A timer scheduled by a callback is due after
  /// `nowNs` (the clock only advances) and a re-armed one a period later, so firing stops: a timer
  /// that reschedules itself with no delay cannot starve the loop.
  mutating func popDue(nowNs: UInt64) -> (() -> Void)? {
    while let top = heap.first, top.deadlineNs <= nowNs {
      _ = pop()
      guard let timer = callbacks[top.id] else { continue }
      if let periodNs = timer.periodNs {
        var next = top.deadlineNs &+ periodNs
        if next <= nowNs { next = nowNs &+ periodNs }
        push(Entry(deadlineNs: next, id: top.id))
      } else {
        callbacks[top.id] = nil
      }
      return timer.body
    }
    return nil
  }

  /// Drops every timer (shutdown): releases the callbacks and whatever they capture.
  mutating func removeAll() {
    heap.removeAll()
    callbacks.removeAll()
  }

  /// Traps unless the heap property holds and every live timer has a heap entry.
  func checkInvariants() {
    for index in heap.indices.dropFirst() {
      precondition(!heap[index].fires(before: heap[(index - 1) / 2]), "timer heap out of order at \(index)")
    }
    let inHeap = Set(heap.map(\.id))
    for id in callbacks.keys { precondition(inHeap.contains(id), "live \(id) missing from the heap") }
  }

  private mutating func rebuild() {
    let live = heap.filter { callbacks[$0.id] != nil }
    heap.removeAll(keepingCapacity: true)
    for entry in live { push(entry) }
  }

  private mutating func push(_ entry: Entry) {
    heap.append(entry)
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard heap[child].fires(before: heap[parent]) else { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func pop() -> Entry? {
    guard !heap.isEmpty else { return nil }
    heap.swapAt(0, heap.count - 1)
    let top = heap.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var first = parent
      if left < heap.count && heap[left].fires(before: heap[first]) { first = left }
      if right < heap.count && heap[right].fires(before: heap[first]) { first = right }
      guard first != parent else { break }
      heap.swapAt(parent, first)
      parent = first
    }
    return top
  }
}
