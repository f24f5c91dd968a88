// The whole pipehost plugin SDK. A plugin includes this header and nothing else from pipehost.
#pragma once

#include "pipehost/config.hpp"
#include "pipehost/host_services.hpp"
#include "pipehost/plugin.hpp"
#include "pipehost/stages.hpp"
#include "pipehost/status.hpp"
#include "pipehost/types.hpp"
#include "pipehost/value.hpp"
#include "pipehost/version.hpp"
