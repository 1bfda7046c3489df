using SharpTune.Cli;

return SharpTuneCli.Run(args);
