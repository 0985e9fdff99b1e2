import CLinuxShims
import Glibc

/// The text of an errno value, with its number: "Connection refused (errno 111)".
func describe(errno value: Int32) -> String {
  guard let text = strerror(value) else { return "errno \(value)" }
  return "\(String(cString: text)) (errno \(value))"
}

/// The calling thread's errno.
var currentErrno: Int32 { errno }

/// The monotonic clock in nanoseconds; timers are measured against it, never against wall time.
func readMonotonicClockNs() -> UInt64 { grove_monotonic_ns() }

/// Closes a descriptor, ignoring EINTR as Linux does (the descriptor is released either way).
func closeDescriptor(_ fd: Int32) {
  _ = Glibc.close(fd)
}

/// Throws `TransportError.system` for a failed call that returned -1.
func check(_ result: Int32, _ call: String) throws(TransportError) {
  if result < 0 { throw .system(call: call, errno: errno) }
}
