// Package hub finds and downloads Hugging Face hub model repositories in the
// hub's local cache layout, so that files fetched by this package and by the
// Python huggingface_hub library are shared.
//
// A model id is "org/name" or "name", optionally followed by "@revision"
// (a branch, tag or 40-hex commit): "EleutherAI/pythia-70m",
// "EleutherAI/pythia-70m@step3000".
//
// # Cache layout
//
// The cache root is $HF_HUB_CACHE, else $HF_HOME/hub, else
// ~/.cache/huggingface/hub. A repository lives in models--ORG--NAME/ with
//
//	refs/REVISION          the commit sha a branch or tag pointed to when downloaded
//	blobs/ETAG             file contents, named by their etag (sha256 for LFS files,
//	                       git blob sha1 for others); ETAG.incomplete while downloading
//	snapshots/SHA/FILE     symlinks to ../../blobs/ETAG (copies where symlinks fail)
//
// Resolve maps an id to its snapshot directory without touching the network.
//
// # Downloading
//
// Download asks {endpoint}/api/models/{id}/revision/{revision} for the commit
// sha and file list, then for each file sends HEAD to
// {endpoint}/{id}/resolve/{sha}/{file} (redirects within the endpoint are
// followed; a redirect elsewhere, to a CDN, ends the HEAD and is where the
// content is fetched) to learn its etag and size from X-Linked-Etag /
// X-Linked-Size (LFS files) or ETag / Content-Length, fetches it into
// blobs/ETAG.incomplete, resuming with an HTTP Range request after an
// interrupted transfer, verifies the content (sha256 equals the LFS etag; the
// git blob sha1, sha1("blob <len>\x00" + content), equals a plain etag),
// renames it to blobs/ETAG and links it into the snapshot. A blob that is
// already present is not fetched again. Requests carry "Authorization: Bearer
// TOKEN" (from Options, $HF_TOKEN, or the token file huggingface-cli login
// writes) only when sent to the endpoint's host.
//
// Two processes downloading the same file at once are not coordinated (the
// Python library uses file locks); the checksum still protects each blob.
package hub
