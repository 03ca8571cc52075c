// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The glvq subcommands. Each parses its own arguments (throwing cli::UsageError), reports bad input as
// glvq::Error, polls the cancel token (SIGINT), and returns the process exit code.
#include "app/cli/cli_args.h"
#include "core/util/cancel.h"

#include <string>
#include <vector>

namespace glvq::cli {

struct Command {
    const CommandSpec& spec;
    int (*run)(const ParsedArgs& args, const CancelToken& cancel);
};

const CommandSpec& infoSpec();
int runInfo(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& evalSpec();
int runEval(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& quantizeSpec();
int runQuantize(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& exportSpec();
int runExport(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& dequantizeSpec();
int runDequantize(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& inspectSpec();
int runInspect(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& benchSpec();
int runBench(const ParsedArgs& args, const CancelToken& cancel);

const CommandSpec& tokenizeSpec();
int runTokenize(const ParsedArgs& args, const CancelToken& cancel);

} // namespace glvq::cli
