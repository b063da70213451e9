using Assay.Cli;

return AssayCommand.Run(args);
