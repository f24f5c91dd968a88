// pipehost-emulator: see README.md. Prints "listening on URL" (and "ca_file: PATH" with TLS) on
// stdout, then serves until SIGTERM or SIGINT and exits 0.
#include <cstdio>
#include <exception>
#include <iostream>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "emulator/app/emulator.hpp"

int main(int argc, char** argv) {
  using namespace pipehost::emulator;
  // Block the stop signals in every thread (threads inherit the mask) and wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the server

  EmulatorSettings settings;
  try {
    settings = parse_command_line(argc, argv);
  } catch (const CommandLineError& error) {
    (error.exit_code == 0 ? std::cout : std::cerr) << error.what() << std::endl;
    return error.exit_code;
  }
  if (settings.exit_with_parent) {
    // A test that crashes cannot stop its emulator; the emulator would hold the test's output pipe
    // open and keep ctest waiting. The kernel sends SIGTERM (waited for below) when the parent dies.
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1) return 1;  // 1: the parent is gone
  }
  try {
    Emulator emulator(std::move(settings));
    emulator.start();
    std::printf("listening on %s\n", emulator.base_url().c_str());
    if (!emulator.ca_file().empty()) std::printf("ca_file: %s\n", emulator.ca_file().c_str());
    std::fflush(stdout);
    int received = 0;
    sigwait(&stop_signals, &received);
    emulator.stop();
  } catch (const std::exception& error) {
    std::cerr << "pipehost-emulator: " << error.what() << std::endl;
    return 1;
  }
  return 0;
}
