# Sourced, not run: what scripts/install and scripts/package put beside the two binaries.
#   install_files BIN_DIR DEST PREFIX
#     BIN_DIR  the folder holding the built mediash and media-server
#     DEST     where the files go (PREFIX itself for scripts/install, a staging root + /usr for
#              scripts/package)
#     PREFIX   where they will live when installed (the unit's ExecStart names PREFIX/bin)
#   Writes, under DEST:
#     share/man/man1/mediash.1, share/man/man1/media-server.1   from the binaries' declarations
#     share/man/man7/mediash-language.7                         from docs/language.md
#     share/bash-completion/completions/NAME, share/zsh/site-functions/_NAME,
#     share/fish/vendor_completions.d/NAME.fish                 for both commands
#     lib/systemd/system/media-server.service                   packaging/media-server.service
# Every page and script comes from the binaries being installed, so none can describe another build.
install_files() {
  local bin=$1 dest=$2 prefix=$3 product shell
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  mkdir -p "$dest/share/man/man1" "$dest/share/man/man7" \
    "$dest/share/bash-completion/completions" "$dest/share/zsh/site-functions" \
    "$dest/share/fish/vendor_completions.d" "$dest/lib/systemd/system"
  for product in mediash media-server; do
    python3 "$root/scripts/lib/manpages.py" command "$bin/$product" "$dest/share/man/man1/$product.1"
    for shell in bash zsh fish; do
      local target
      case $shell in
        bash) target="$dest/share/bash-completion/completions/$product" ;;
        zsh) target="$dest/share/zsh/site-functions/_$product" ;;
        fish) target="$dest/share/fish/vendor_completions.d/$product.fish" ;;
      esac
      "$bin/$product" --generate-completion-script "$shell" > "$target.new"
      [ -s "$target.new" ] || { echo "install_files: $product printed no $shell completion script" >&2; return 1; }
      chmod 0644 "$target.new"
      mv -f "$target.new" "$target"
    done
  done
  python3 "$root/scripts/lib/manpages.py" language "$root/docs/language.md" \
    "$dest/share/man/man7/mediash-language.7" "$("$bin/mediash" --version)"
  chmod 0644 "$dest"/share/man/man1/*.1 "$dest"/share/man/man7/*.7
  # The unit names the binary where it will be installed.
  case $prefix in
    /*) ;;
    *) echo "install_files: PREFIX must be absolute (the unit's ExecStart), not $prefix" >&2; return 1 ;;
  esac
  case $prefix in
    *[[:space:]]*) echo "install_files: warning: $prefix has white space; edit ExecStart in media-server.service" >&2 ;;
  esac
  local escaped
  escaped=$(printf '%s' "$prefix" | sed 's/[\\|&]/\\&/g')
  sed "s|/usr/bin/media-server|$escaped/bin/media-server|g" "$root/packaging/media-server.service" \
    > "$dest/lib/systemd/system/media-server.service.new"
  chmod 0644 "$dest/lib/systemd/system/media-server.service.new"
  mv -f "$dest/lib/systemd/system/media-server.service.new" "$dest/lib/systemd/system/media-server.service"
}
