namespace SharpTune.Data;

/// <summary>How <see cref="ImageFolder"/> checks the files it finds.</summary>
/// <param name="VerifyByDecoding">
/// Decode every image while opening, so that truncated or corrupt files are found before training. Null (default):
/// only with <see cref="BadFilePolicy.Fail"/>; with <see cref="BadFilePolicy.Skip"/> only headers are read and files
/// that fail later are skipped by the loader (<see cref="ImageLoader.BadImagesSeen"/>).
/// </param>
/// <param name="MaxPixels">Largest declared width × height accepted (checked before decoding).</param>
/// <param name="Threads">Threads used to probe the files (0: one per core).</param>
public sealed record ImageFolderOptions(bool? VerifyByDecoding = null, long MaxPixels = ImageDecoder.DefaultMaxPixels, int Threads = 0);
