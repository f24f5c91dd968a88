// Runs one asynchronous Asio operation to completion on the calling thread, with a deadline and
// cancellation. This is how the client gets timeouts on every step (resolve, connect, handshake,
// each read and write) while presenting a blocking API: each connection owns its io_context, and only
// the thread that checked the connection out of the pool runs it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

namespace pipehost::net {

struct IoResult {
  boost::system::error_code error;
  std::size_t bytes = 0;
  bool timed_out = false;
  bool cancelled = false;
  bool ok() const { return !error && !timed_out && !cancelled; }
};

class IoRunner {
 public:
  using Clock = std::chrono::steady_clock;

  IoRunner(boost::asio::io_context& io, std::function<bool()> cancelled)
      : io_(io), cancelled_(std::move(cancelled)) {}

  /// `start(handler)` starts the operation; handler has the signature (error_code, size_t) or
  /// (error_code). When `deadline` passes or the run is cancelled, `abort()` is called (it must make the
  /// operation complete soon, e.g. by closing the socket) and the result says why.
  template <class Start, class Abort>
  IoResult run(Start&& start, Abort&& abort, Clock::time_point deadline) {
    IoResult result;
    bool done = false;
    bool aborted = false;
    io_.restart();
    start(Completion{&result, &done});
    while (!done) {
      auto now = Clock::now();
      if (!aborted) {
        bool cancel = cancelled_ && cancelled_();
        if (cancel || now >= deadline) {
          (cancel ? result.cancelled : result.timed_out) = true;
          aborted = true;
          abort();
        }
      }
      // Short slices so a cancellation (Ctrl-C) is seen within a fraction of a second.
      auto slice = std::chrono::milliseconds(100);
      if (!aborted)
        slice = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                           std::chrono::milliseconds(1), slice);
      if (io_.stopped()) io_.restart();
      io_.run_one_for(slice);
    }
    return result;
  }

 private:
  struct Completion {
    IoResult* result;
    bool* done;
    void operator()(const boost::system::error_code& error, std::size_t bytes = 0) const {
      result->error = error;
      result->bytes = bytes;
      *done = true;
    }
    template <class Results>
    void operator()(const boost::system::error_code& error, const Results&) const {
      // Resolver results and connected endpoints: the caller keeps its own copy.
      result->error = error;
      *done = true;
    }
  };

  boost::asio::io_context& io_;
  std::function<bool()> cancelled_;
};

}  // namespace pipehost::net
