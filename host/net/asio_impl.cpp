// The one translation unit that compiles Boost.Asio, Boost.Asio.SSL and Boost.Beast
// (BOOST_*_SEPARATE_COMPILATION), so every other file only includes their declarations and
// incremental builds stay fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
