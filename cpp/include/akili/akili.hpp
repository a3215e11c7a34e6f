#pragma once
// Umbrella header: everything a program needs to build, train and run a network.

#include "akili/activation.hpp"
#include "akili/backquery.hpp"
#include "akili/build_info.hpp"
#include "akili/classes.hpp"
#include "akili/dense.hpp"
#include "akili/errors.hpp"
#include "akili/full_batch.hpp"
#include "akili/io/csv.hpp"
#include "akili/io/idx.hpp"
#include "akili/loss.hpp"
#include "akili/model_file.hpp"
#include "akili/network.hpp"
#include "akili/random.hpp"
#include "akili/restarts.hpp"
#include "akili/types.hpp"
