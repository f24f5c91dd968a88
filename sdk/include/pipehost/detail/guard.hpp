// The exception guard: every stage a plugin registers is wrapped so that no exception ever crosses the
// plugin boundary; a throw becomes a fatal Status with its message. Used by plugin.hpp.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include "pipehost/stages.hpp"
#include "pipehost/status.hpp"

namespace pipehost {
namespace detail {

/// Runs `f`, turning any exception into a fatal Status.
template <class F>
Status guard(F&& f) noexcept {
  try {
    return std::forward<F>(f)();
  } catch (const std::exception& e) {
    return Status::fatal(e.what());
  } catch (...) {
    return Status::fatal("unknown exception");
  }
}

template <class Impl>
class GuardedSource final : public Source {
 public:
  template <class... Args>
  explicit GuardedSource(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status open(std::vector<std::string>& columns) override {
    return guard([&] { return impl_.open(columns); });
  }
  Status read(std::vector<Row>& batch, std::size_t max_rows) override {
    return guard([&] { return impl_.read(batch, max_rows); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedRequestBuilder final : public RequestBuilder {
 public:
  template <class... Args>
  explicit GuardedRequestBuilder(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status bind(const std::vector<std::string>& columns) override {
    return guard([&] { return impl_.bind(columns); });
  }
  Status build(const Row& row, Request& request) override {
    return guard([&] { return impl_.build(row, request); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedProvider final : public Provider {
 public:
  template <class... Args>
  explicit GuardedProvider(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status capabilities(ProviderCapabilities& out) override {
    return guard([&] { return impl_.capabilities(out); });
  }
  Status model(ModelInfo& info) override {
    return guard([&] { return impl_.model(info); });
  }
  Status start() override {
    return guard([&] { return impl_.start(); });
  }
  Status encoded_size(const Request& request, std::uint64_t& bytes) override {
    return guard([&] { return impl_.encoded_size(request, bytes); });
  }
  Status submit(const std::string& display_name, const std::vector<Request>& requests,
                std::string& handle) override {
    return guard([&] { return impl_.submit(display_name, requests, handle); });
  }
  Status poll(const std::string& handle, JobStatus& status) override {
    return guard([&] { return impl_.poll(handle, status); });
  }
  Status fetch(const std::string& handle, const std::function<Status(Response&&)>& on_response) override {
    return guard([&] { return impl_.fetch(handle, on_response); });
  }
  Status cancel(const std::string& handle) override {
    return guard([&] { return impl_.cancel(handle); });
  }
  Status find(const std::string& display_name, std::string& handle) override {
    return guard([&] { return impl_.find(display_name, handle); });
  }
  Status list_jobs(double created_since, std::vector<JobSummary>& jobs) override {
    return guard([&] { return impl_.list_jobs(created_since, jobs); });
  }
  Status call(const Request& request, Response& response) override {
    return guard([&] { return impl_.call(request, response); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedParser final : public Parser {
 public:
  template <class... Args>
  explicit GuardedParser(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status columns(std::vector<Column>& out) override {
    return guard([&] { return impl_.columns(out); });
  }
  Status parse(std::string_view text, std::vector<Value>& fields) override {
    return guard([&] { return impl_.parse(text, fields); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedSink final : public Sink {
 public:
  template <class... Args>
  explicit GuardedSink(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status open(const std::vector<Column>& columns) override {
    return guard([&] { return impl_.open(columns); });
  }
  Status write(const std::vector<Row>& rows) override {
    return guard([&] { return impl_.write(rows); });
  }
  Status commit() override {
    return guard([&] { return impl_.commit(); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedLogger final : public Logger {
 public:
  template <class... Args>
  explicit GuardedLogger(Args&&... args) : impl_(std::forward<Args>(args)...) {}
  Status start() override {
    return guard([&] { return impl_.start(); });
  }
  Status log(const CallEvent& event) override {
    return guard([&] { return impl_.log(event); });
  }
  Status flush(std::uint64_t& delivered, std::uint64_t& set_aside) override {
    return guard([&] { return impl_.flush(delivered, set_aside); });
  }

 private:
  Impl impl_;
};

/// The guarded wrapper type for a stage implementation.
template <class Impl>
auto guarded_type() {
  if constexpr (std::is_base_of_v<Source, Impl>)
    return std::type_identity<GuardedSource<Impl>>{};
  else if constexpr (std::is_base_of_v<RequestBuilder, Impl>)
    return std::type_identity<GuardedRequestBuilder<Impl>>{};
  else if constexpr (std::is_base_of_v<Provider, Impl>)
    return std::type_identity<GuardedProvider<Impl>>{};
  else if constexpr (std::is_base_of_v<Parser, Impl>)
    return std::type_identity<GuardedParser<Impl>>{};
  else if constexpr (std::is_base_of_v<Sink, Impl>)
    return std::type_identity<GuardedSink<Impl>>{};
  else if constexpr (std::is_base_of_v<Logger, Impl>)
    return std::type_identity<GuardedLogger<Impl>>{};
  else
    static_assert(sizeof(Impl) == 0, "a stage must derive from a pipehost stage interface");
}

}  // namespace detail

}  // namespace pipehost
