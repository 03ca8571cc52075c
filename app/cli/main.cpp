// SPDX-License-Identifier: GPL-3.0-or-later
// glvq: GLVQ Studio's headless command line. Exit codes: 0 success, 1 error in the input or the run,
// 2 usage error, 130 cancelled (Ctrl-C).
#include "app/cli/commands.h"
#include "core/model/compute_device.h"
#include "core/util/error.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>

namespace {

glvq::CancelSource& interruptSource()
{
    static glvq::CancelSource source;
    return source;
}

extern "C" void onInterrupt(int)
{
    // First Ctrl-C asks the work to stop at the next safe point; a second one kills the process.
    interruptSource().requestCancel();
    std::signal(SIGINT, SIG_DFL);
}

const std::vector<glvq::cli::Command>& allCommands()
{
    static const std::vector<glvq::cli::Command> commands = {
        { glvq::cli::infoSpec(), glvq::cli::runInfo },
        { glvq::cli::evalSpec(), glvq::cli::runEval },
        { glvq::cli::quantizeSpec(), glvq::cli::runQuantize },
        { glvq::cli::tokenizeSpec(), glvq::cli::runTokenize },
        { glvq::cli::exportSpec(), glvq::cli::runExport },
        { glvq::cli::dequantizeSpec(), glvq::cli::runDequantize },
        { glvq::cli::inspectSpec(), glvq::cli::runInspect },
        { glvq::cli::benchSpec(), glvq::cli::runBench },
    };
    return commands;
}

void printUsage(std::FILE* out)
{
    std::fprintf(out, "usage: glvq COMMAND [options]   (glvq COMMAND --help for details)\n\n"
                      "GLVQ Studio " GLVQ_VERSION ": grouped lattice vector quantization of LLMs, headless.\n\n"
                      "commands:\n");
    for (const auto& command : allCommands())
        std::fprintf(out, "  %-10s %s\n", command.spec.name.c_str(), command.spec.summary.c_str());
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("glvq " GLVQ_VERSION "\n");
        return 0;
    }
    const auto it = std::find_if(allCommands().begin(), allCommands().end(),
                                 [&](const glvq::cli::Command& command) { return command.spec.name == args[0]; });
    if (it == allCommands().end()) {
        std::fprintf(stderr, "glvq: unknown command '%s' (see glvq --help)\n", args[0].c_str());
        return 2;
    }
    std::signal(SIGINT, onInterrupt);
    glvq::model::configureCpuThreads();
    const auto& spec = it->spec;
    try {
        const auto parsed = glvq::cli::parseArgs(spec, { args.begin() + 1, args.end() });
        if (parsed.helpRequested) {
            std::fputs(glvq::cli::helpText(spec).c_str(), stdout);
            return 0;
        }
        return it->run(parsed, interruptSource().token());
    } catch (const glvq::cli::UsageError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    } catch (const glvq::Cancelled&) {
        std::fprintf(stderr, "glvq %s: cancelled\n", spec.name.c_str());
        return 130;
    } catch (const glvq::Error& e) {
        std::fprintf(stderr, "glvq %s: %s\n", spec.name.c_str(), e.what());
        return 1;
    } catch (const std::exception& e) {
        // Torch and the standard library report with multi-line messages; keep the first line.
        std::string message = e.what();
        message = message.substr(0, message.find('\n'));
        std::fprintf(stderr, "glvq %s: internal error: %s\n", spec.name.c_str(), message.c_str());
        return 1;
    }
}
