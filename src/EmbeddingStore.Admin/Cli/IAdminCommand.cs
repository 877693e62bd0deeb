// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;

namespace EmbeddingStore.Admin.Cli;

// One esadmin command: a file that builds its System.CommandLine `Command` (name, options, arguments, help text and
// action) and is listed once in AdminCommands. The action returns one of ExitCodes: 0 done, 1 the server refused or the
// work failed, 2 bad input (parse and validation errors are reported before any action runs, also as 2), 3 the server
// could not be reached.
internal interface IAdminCommand
{
    Command Create(AdminContext context);
}
