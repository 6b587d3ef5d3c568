"""Build /work/corpus/workspaces/<name>.json and /work/corpus/manifest.json from public mirrors.

Each published background-only workspace is read from its repository mirror (bare git dir under
/work/.mirror, read with `git show <commit>:<path>`, tarballs unpacked in /tmp), the chosen signal
patch is applied as pyhf applies a patch of a patchset (pyhf.PatchSet.apply, which checks the
sha256 digest of the background-only workspace first; for the sbottom archive, whose patches are
single jsonpatch files, a one-patch patchset is built with pyhf's own digest), and the resulting
workspace spec is written with json.dump(indent=1). Nothing is changed in the specs.

  PYTHONPATH=/tmp/pyhf-src/src nice -n 10 /usr/bin/python3 /work/corpus/build_corpus_workspaces.py
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

import pyhf

OUT = "/work/corpus"
MIRROR = "/work/.mirror"


def git_commit(repo):
    return subprocess.check_output(["git", "-C", f"{MIRROR}/{repo}/repo", "rev-parse", "HEAD"], text=True).strip()


def git_show(repo, commit, path):
    return subprocess.check_output(["git", "-C", f"{MIRROR}/{repo}/repo", "show", f"{commit}:{path}"])


def tar_member(blob, member, gz=True):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz" if gz else "r:") as tf:
        return tf.extractfile(member).read()


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def one_patch_patchset(bkg_spec, patch_name, patch_ops, hepdata):
    return pyhf.PatchSet(
        {
            "metadata": {
                "description": f"{patch_name} (single jsonpatch file of the published archive)",
                "digests": {"sha256": pyhf.utils.digest(bkg_spec, "sha256")},
                "labels": ["point"],
                "references": {"hepdata": hepdata},
            },
            "patches": [{"metadata": {"name": patch_name, "values": [0]}, "patch": patch_ops}],
            "version": "1.0.0",
        }
    )


SKHEP = "scikit-hep+scikit-hep-testdata"
SKHEP_TAR = "src/skhep_testdata/data/pyhf-ins1748602-probability-models.tar.gz"
ML = "Rav2+MLlikelihoods"
RUPT = "Rupt+interval-evidence"
PYHF = "scikit-hep+pyhf"

# name -> description of how to get it
CASES = {
    "atlas_sbottom_RegionB_1300_205_60": dict(
        notes="The point asked for in the brief; Region B has no sensitivity to it (CLs(mu=1) ~ 1): pyhf toms748_scan doubles the upper POI bound past 10 for the expected band and fails (fit init 20 outside bounds (0, 10)); see atlas_sbottom_RegionB_800_550_60 for a sensitive point.",
        kind="single_patch", repo=SKHEP, path=SKHEP_TAR, bkg="RegionB/BkgOnly.json", patch_file="RegionB/patch.sbottom_1300_205_60.json",
        patch="sbottom_1300_205_60", hepdata="ins1748602", doi="10.17182/hepdata.89408.v3/r2",
        analysis="ATLAS-SUSY-2018-31 sbottom multi-b (arXiv:1908.03122), Region B", repo_licence="BSD-3-Clause (scikit-hep-testdata); data CC0 (HEPData)",
    ),
    "atlas_sbottom_RegionC_1300_205_60": dict(
        notes="The point asked for in the brief; Region C has no sensitivity to it (CLs(mu=1) ~ 0.99): pyhf toms748_scan doubles the upper POI bound past 10 and fails; see atlas_sbottom_RegionC_1400_1350_60 for a sensitive point.",
        kind="single_patch", repo=SKHEP, path=SKHEP_TAR, bkg="RegionC/BkgOnly.json", patch_file="RegionC/patch.sbottom_1300_205_60.json",
        patch="sbottom_1300_205_60", hepdata="ins1748602", doi="10.17182/hepdata.89408.v3/r2",
        analysis="ATLAS-SUSY-2018-31 sbottom multi-b (arXiv:1908.03122), Region C", repo_licence="BSD-3-Clause (scikit-hep-testdata); data CC0 (HEPData)",
    ),
    "atlas_sbottom_RegionB_800_550_60": dict(
        kind="single_patch", repo=SKHEP, path=SKHEP_TAR, bkg="RegionB/BkgOnly.json", patch_file="RegionB/patch.sbottom_800_550_60.json",
        patch="sbottom_800_550_60", hepdata="ins1748602", doi="10.17182/hepdata.89408.v3/r2",
        analysis="ATLAS-SUSY-2018-31 sbottom multi-b (arXiv:1908.03122), Region B; a point Region B is sensitive to (CLs(mu=1) ~ 0.3)", repo_licence="BSD-3-Clause (scikit-hep-testdata); data CC0 (HEPData)",
    ),
    "atlas_sbottom_RegionC_1400_1350_60": dict(
        kind="single_patch", repo=SKHEP, path=SKHEP_TAR, bkg="RegionC/BkgOnly.json", patch_file="RegionC/patch.sbottom_1400_1350_60.json",
        patch="sbottom_1400_1350_60", hepdata="ins1748602", doi="10.17182/hepdata.89408.v3/r2",
        analysis="ATLAS-SUSY-2018-31 sbottom multi-b (arXiv:1908.03122), Region C; a point Region C is sensitive to (CLs(mu=1) ~ 0.1)", repo_licence="BSD-3-Clause (scikit-hep-testdata); data CC0 (HEPData)",
    ),
    "atlas_3L_eRJR_350_150": dict(
        notes="Independent copies agree: BkgOnly.json equals (as parsed JSON; byte differences in key order only) the pre-publication copy in danikam/1Lbb-likelihoods@2de1e0a240ec52a0afef151b1ece4da127de6ff4:BkgOnly.json (with single patch.ERJR_*.json files) and Rupt/interval-evidence searches/atlas_susy_3LRJmimic_2020/bkg.json.gz (downloaded from doi 10.17182/hepdata.91127.v2/r3). Shapesys in a bin with relative uncertainty 2.3e-6. lumi and mu_BG are fixed in the measurement.",
        kind="patchset_tar", repo=ML, path="data/1912.08479.tar.gz", bkg="./1912.08479/BkgOnly.json", patchset="./1912.08479/patchset.json",
        patch="ERJR_350p0_150p0", hepdata="ins1771533", doi="10.17182/hepdata.91127.v2/r3",
        analysis="ATLAS-SUSY-2018-06 three-lepton eRJR (arXiv:1912.08479)", repo_licence="BSD-3-Clause (Rav2/MLlikelihoods, a mirror of the HEPData archive); data CC0 (HEPData)",
    ),
    "atlas_stau_combined_400_40": dict(
        notes="Region-lowMass and Region-highMass BkgOnly.json of the same archive equal (as parsed JSON) Rupt/interval-evidence searches/atlas_susy_2hadtau_2020/{low,high}_mass_bkg.json.gz, downloaded from doi 10.17182/hepdata.92006.v2/r2.",
        kind="patchset_tar", repo=ML, path="data/1911.06660.tar.gz", bkg="./1911.06660/Region-combined/BkgOnly.json", patchset="./1911.06660/Region-combined/patchset.json",
        patch="DS_400_40_Staus", hepdata="ins1765529", doi="10.17182/hepdata.92006.v2/r2",
        analysis="ATLAS-SUSY-2018-04 direct staus, two hadronic taus (arXiv:1911.06660), Region-combined", repo_licence="BSD-3-Clause (Rav2/MLlikelihoods, a mirror of the HEPData archive); data CC0 (HEPData)",
    ),
    "atlas_compressed_sleptons_bkg": dict(
        notes="Rupt/interval-evidence stores the HEPData background-only specs re-serialized (json.dumps, gzip); its copies of the sbottom RegionA/B/C, stau low/high mass and 3L eRJR BkgOnly.json equal the other mirrors as parsed JSON. No signal patchset for this analysis was found in a mirror, so the workspace has no POI (the measurement POI mu_SIG is in no sample).",
        kind="bkg_gz", repo=RUPT, path="searches/atlas_susy_compressed_2020/sleptons_bkg.json.gz", patch=None,
        hepdata="ins1767649", doi="10.17182/hepdata.91374.v5/r6", original_name="statistical_models/Sleptons_bkgonly.json",
        analysis="ATLAS-SUSY-2018-16 compressed electroweak SUSY, 2L (arXiv:1911.12606), sleptons background-only (no signal patchset mirrored)",
        repo_licence="MIT (Rupt/interval-evidence; its spec re-serialized with json.dumps, content unchanged); data CC0 (HEPData)",
    ),
    "atlas_3L_2021_offshell_bkg": dict(
        notes="Rupt/interval-evidence re-serialized copy of bkg_offshell.json of the HEPData archive (see atlas_compressed_sleptons_bkg for the cross-checks of that mirror). The signal patchsets (offshell_winobino_plus_patchset.json etc.) were not found in any reachable mirror (hreyes91/ML_LHClikelihoods could not be fetched; Rav2/MLlikelihoods HEAD lacks data/2106.01676.tar.gz), so the workspace has no POI. Smallest shapesys relative uncertainty 0.0116 (not 1e-6).",
        kind="bkg_gz", repo=RUPT, path="searches/atlas_susy_3L_2021/offshell_bkg.json.gz", patch=None,
        hepdata="ins1866951", doi="10.17182/hepdata.95751.v2/r3", original_name="bkg_offshell.json",
        analysis="ATLAS-SUSY-2019-09 three leptons, on-/off-shell WZ (arXiv:2106.01676), off-shell background-only (no signal patchset mirrored)",
        repo_licence="MIT (Rupt/interval-evidence; its spec re-serialized with json.dumps, content unchanged); data CC0 (HEPData)",
    ),
    "atlas_DVmuon_SRMU_bkg": dict(
        notes="A single-bin workspace with a shapesys and a staterror on the same sample; the measurement also sets lumi (not in the model). No signal patch mirrored: no POI.",
        kind="bkg_gz", repo=RUPT, path="searches/atlas_susy_DVmuon_2020/srmu_bkg.json.gz", patch=None,
        hepdata="ins1831504", doi="10.17182/hepdata.91760.v2/r1", original_name="Likelihoods/DVPlusMuConfig/SRMU_bkgonly.json",
        analysis="ATLAS-SUSY-2018-33 displaced vertex + muon (arXiv:2003.11956), SRMU background-only (its POI mu_Sig is in no sample)",
        repo_licence="MIT (Rupt/interval-evidence; its spec re-serialized with json.dumps, content unchanged); data CC0 (HEPData)",
    ),
    "pyhf_toy_xmlimport": dict(
        kind="plain", repo=PYHF, path="validation/xmlimport_input_bkg.json", patch=None, hepdata=None, doi=None,
        analysis="pyhf toy: validation/xmlimport_input (HistFactory example.xml imported), lumi/normsys/staterror/normfactor, fixed lumi and syst1",
        repo_licence="Apache-2.0 (scikit-hep/pyhf)",
    ),
    "pyhf_toy_patchset_example": dict(
        kind="patchset_plain", repo=PYHF, path="tests/test_patchset/example_bkgonly.json", patchset_path="tests/test_patchset/example_patchset.json",
        patch="patch_channel1_signal_syst1", hepdata="ins1234567 (dummy)", doi=None,
        analysis="pyhf toy: tests/test_patchset example BkgOnly + patchset (four measurements; the first, GaussExample, is used)",
        repo_licence="Apache-2.0 (scikit-hep/pyhf)",
    ),
}


def build(name, c):
    commit = git_commit(c["repo"])
    prov = {"source_repo": c["repo"].replace("+", "/"), "commit": commit, "path_in_repo": c["path"]}
    if c["kind"] == "single_patch":
        blob = git_show(c["repo"], commit, c["path"])
        bkg_bytes = tar_member(blob, c["bkg"])
        bkg = json.loads(bkg_bytes)
        ops = json.loads(tar_member(blob, c["patch_file"]))
        ws = one_patch_patchset(bkg, c["patch"], ops, c["hepdata"]).apply(pyhf.Workspace(bkg), c["patch"])
        prov.update(member_bkg=c["bkg"], member_patch=c["patch_file"], sha256_bkgonly_file=sha256(bkg_bytes))
    elif c["kind"] == "patchset_tar":
        blob = git_show(c["repo"], commit, c["path"])
        bkg_bytes = tar_member(blob, c["bkg"])
        ps_bytes = tar_member(blob, c["patchset"])
        bkg = json.loads(bkg_bytes)
        ps = pyhf.PatchSet(json.loads(ps_bytes))
        ws = ps.apply(pyhf.Workspace(bkg), c["patch"])
        prov.update(member_bkg=c["bkg"], member_patchset=c["patchset"], sha256_bkgonly_file=sha256(bkg_bytes), sha256_patchset_file=sha256(ps_bytes),
                    patchset_metadata={k: v for k, v in ps.metadata.items()})
    elif c["kind"] == "patchset_plain":
        bkg_bytes = git_show(c["repo"], commit, c["path"])
        ps_bytes = git_show(c["repo"], commit, c["patchset_path"])
        bkg = json.loads(bkg_bytes)
        ps = pyhf.PatchSet(json.loads(ps_bytes))
        ws = ps.apply(pyhf.Workspace(bkg), c["patch"])
        prov.update(patchset_path_in_repo=c["patchset_path"], sha256_bkgonly_file=sha256(bkg_bytes), sha256_patchset_file=sha256(ps_bytes))
    elif c["kind"] == "bkg_gz":
        import gzip
        bkg_bytes = gzip.decompress(git_show(c["repo"], commit, c["path"]))
        bkg = json.loads(bkg_bytes)
        ws = pyhf.Workspace(bkg)
        prov.update(original_name_in_hepdata_archive=c["original_name"])
    elif c["kind"] == "plain":
        bkg_bytes = git_show(c["repo"], commit, c["path"])
        bkg = json.loads(bkg_bytes)
        ws = pyhf.Workspace(bkg)
        prov.update(sha256_bkgonly_file=sha256(bkg_bytes))
    spec = dict(ws)
    text = json.dumps(spec, indent=1) + "\n"
    path = os.path.join(OUT, "workspaces", name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    poi = spec["measurements"][0]["config"]["poi"]
    try:
        model = ws.model()
        poi_used = model.config.poi_name
    except Exception:  # POI of the measurement is in no sample (background-only): no POI
        model = ws.model(poi_name=None)
        poi_used = None
    entry = {
        "source_repo": prov.pop("source_repo"),
        "path_in_repo": prov.pop("path_in_repo"),
        "commit": prov.pop("commit"),
        "licence": c["repo_licence"],
        "analysis": c["analysis"],
        "hepdata": c["hepdata"],
        "doi": c["doi"],
        "patch_applied": c.get("patch"),
        "file": f"workspaces/{name}.json",
        "sha256": sha256(text.encode()),
        "pyhf_digest_bkgonly": pyhf.utils.digest(bkg, "sha256"),
        "pyhf_digest_workspace": pyhf.utils.digest(spec, "sha256"),
        "channels": len(model.config.channels),
        "bins": int(model.config.nmaindata),
        "parameters": int(model.config.npars),
        "measurement": spec["measurements"][0]["name"],
        "measurement_poi": poi,
        "poi": poi_used,
        "modifier_types": sorted({m["type"] for ch in spec["channels"] for s in ch["samples"] for m in s["modifiers"]}),
        "notes": c.get("notes"),
        "details": prov,
    }
    print(name, entry["channels"], entry["bins"], entry["parameters"], poi_used, flush=True)
    return entry


def main():
    names = sys.argv[1:] or list(CASES)
    path = os.path.join(OUT, "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {}
    for name in names:
        manifest[name] = build(name, CASES[name])
    manifest = {k: manifest[k] for k in sorted(manifest, key=lambda k: (manifest[k]["parameters"], k))}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
