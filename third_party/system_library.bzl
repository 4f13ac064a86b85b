"""A repository rule that wraps a library installed on the system (Debian's -dev packages).

Modelled on TensorFlow's third_party/systemlibs: nothing is downloaded. Instead of
exposing all of /usr, the repository holds symlinks to just the header folders (or
files) the library owns, and a BUILD file made from a template in which

  %{LIB_DIR}        is the folder that holds the library's shared objects, and
  %{PKG:<name>}     is the list of linker flags `pkg-config --libs <modules>` prints
                    for the modules named in `pkg_config[<name>]`.

The root (default /usr) can be overridden by an environment variable named in
`root_env`; LibTorch uses LIBTORCH_HOME so that a CUDA build unpacked in
/opt/libtorch can replace Debian's CPU build.
"""

_LIB_DIRS = ["lib/x86_64-linux-gnu", "lib64", "lib"]

def _fail(ctx, msg):
    fail("\n[%s] %s\nRun third_party/install_deps.sh to install the system packages." % (ctx.name, msg))

def _find_lib_dir(ctx, root):
    if not ctx.attr.probe_library:
        return root + "/lib"
    for d in _LIB_DIRS:
        if ctx.path(root + "/" + d + "/" + ctx.attr.probe_library).exists:
            return root + "/" + d
    _fail(ctx, "%s not found in %s under %s" % (
        ctx.attr.probe_library,
        ", ".join(_LIB_DIRS),
        root,
    ))
    return None

def _pkg_config_libs(ctx, modules):
    result = ctx.execute(["pkg-config", "--libs"] + modules.split(" "))
    if result.return_code != 0:
        _fail(ctx, "pkg-config --libs %s failed: %s" % (modules, result.stderr.strip()))
    return [flag for flag in result.stdout.strip().split(" ") if flag]

def _system_library_impl(ctx):
    root = ctx.attr.root
    if ctx.attr.root_env and ctx.os.environ.get(ctx.attr.root_env):
        root = ctx.os.environ[ctx.attr.root_env]
    root = root.rstrip("/") or "/"

    for dest, src in ctx.attr.symlinks.items():
        path = ctx.path(root + "/" + src)
        if not path.exists:
            _fail(ctx, "%s does not exist (root %s)" % (path, root))
        ctx.symlink(path, dest)

    lib_dir = _find_lib_dir(ctx, root)
    optional = [
        "-l" + lib
        for lib in ctx.attr.optional_libraries
        if ctx.path(lib_dir + "/lib" + lib + ".so").exists
    ]
    substitutions = {
        "%{LIB_DIR}": lib_dir,
        "%{OPTIONAL_LIBS}": repr(optional),
    }
    for name, modules in ctx.attr.pkg_config.items():
        substitutions["%{PKG:" + name + "}"] = repr(_pkg_config_libs(ctx, modules))
    ctx.template("BUILD.bazel", ctx.attr.build_file, substitutions, executable = False)
    ctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % ctx.name)

system_library = repository_rule(
    implementation = _system_library_impl,
    attrs = {
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "root": attr.string(default = "/usr"),
        "root_env": attr.string(doc = "Environment variable that overrides root."),
        "symlinks": attr.string_dict(doc = "Path in the repository -> path under root."),
        "probe_library": attr.string(doc = "A file whose folder is %{LIB_DIR}, e.g. libtorch.so."),
        "optional_libraries": attr.string_list(doc = "Linked (-lname) only when present in %{LIB_DIR}."),
        "pkg_config": attr.string_dict(doc = "Placeholder name -> space-separated pkg-config modules."),
    },
    environ = ["LIBTORCH_HOME", "PKG_CONFIG_PATH"],
    local = True,
)
