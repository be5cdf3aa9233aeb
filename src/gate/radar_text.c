/*
 * Drift Radar wording (English, and Korean following the original
 * specgate-phase3 template) and markdown escaping.
 */
#include "gate/radar_int.h"

#include <string.h>

#include "core/banned.h"

static const struct radar_text text_en = {
    .title = "## 🎯 Drift Radar",
    .overall = "### 📊 Overall score",
    .badge = {"✅ **Passed**", "🟡 **Warning**", "⚠️ **PR blocked**"},
    .threshold_fmt = "(threshold: {1})",
    .status_msg = {"The design rules are being followed.",
                   "Design violations were found; fixing them is recommended.",
                   "Design violations block this pull request."},
    .previous_fmt = "Previous run: {1}/100 → now {2}/100 ({3}).",
    .incomplete = "⚠️ Some checks could not run (see *Further review*); this score is incomplete.",
    .by_area = "### 📈 Scores by area",
    .table_head = "| Area | Score | Status | Main violations |\n|------|------|------|-----------|\n",
    .area = {"API", "Architecture", "Security", "Performance", "Data"},
    .area_status = {"🟢 Good", "🟡 Caution", "🔴 Danger"},
    .count_fmt = "{1} ({2})",
    .more_rules_fmt = "+{1} more",
    .violations = "### 🚨 Violations",
    .no_violations = "No design violations found.",
    .card_fmt = "#### {1}. {2} violation ({3})",
    .file = "File",
    .problem = "Problem",
    .detected = "Detected",
    .fix = "How to fix",
    .example = "Example code",
    .points = "Points",
    .no_location = "(no location reported)",
    .cut_fmt = "…and {1} more violations not shown (comment size limit). The full list is in "
               "drift-score.json.",
    .suggestions = "### 💡 Suggestions",
    .expected = "Expected score after the fixes",
    .expected_shown = "Expected score after fixing the violations shown",
    .status_word = {"PASS", "WARN", "FAIL"},
    .priorities = "Priorities",
    .area_rules_fmt = "{1} rules",
    .review = "Further review",
    .review_unmapped_fmt = "{1} findings matched no rule",
    .review_errors_fmt = "{1} tool errors ({2} stopped a check)",
    .review_not_scored = "{1} listed but not scored",
    .review_tail = "see drift-score.json",
    .review_none = "-",
    .congrats = "🎉 Congratulations! The design rules are being followed.",
    .footer_fmt = "<sub>SpecGate · FAIL at {1}, WARN at {2} · {3} violations scored</sub>",
};

static const struct radar_text text_ko = {
    .title = "## 🎯 Drift Radar",
    .overall = "### 📊 전체 점수",
    .badge = {"✅ **통과**", "🟡 **경고**", "⚠️ **PR 차단**"},
    .threshold_fmt = "(임계치: {1}점)",
    .status_msg = {"설계 준수를 잘 하고 있습니다.", "설계 위반이 발견되었습니다. 수정을 권장합니다.",
                   "설계 위반으로 인해 PR이 차단되었습니다."},
    .previous_fmt = "이전 실행: {1}/100 → 현재 {2}/100 ({3}).",
    .incomplete = "⚠️ 일부 검사가 실행되지 못했습니다 (*추가 검토* 참고). 이 점수는 불완전합니다.",
    .by_area = "### 📈 영역별 점수",
    .table_head = "| 영역 | 점수 | 상태 | 주요 위반 |\n|------|------|------|-----------|\n",
    .area = {"API", "아키텍처", "보안", "성능", "데이터"},
    .area_status = {"🟢 양호", "🟡 주의", "🔴 위험"},
    .count_fmt = "{1} {2}건",
    .more_rules_fmt = "외 {1}건",
    .violations = "### 🚨 주요 위반 사항",
    .no_violations = "설계 위반 사항이 없습니다.",
    .card_fmt = "#### {1}. {2} 위반 ({3})",
    .file = "파일",
    .problem = "문제",
    .detected = "탐지 내용",
    .fix = "수정 방법",
    .example = "예시 코드",
    .points = "점수",
    .no_location = "(위치 정보 없음)",
    .cut_fmt = "…외 {1}건의 위반은 코멘트 크기 제한으로 생략되었습니다. 전체 목록은 "
               "drift-score.json에 있습니다.",
    .suggestions = "### 💡 개선 제안",
    .expected = "수정 후 예상 점수",
    .expected_shown = "표시된 위반 수정 후 예상 점수",
    .status_word = {"통과", "경고", "차단"},
    .priorities = "우선순위",
    .area_rules_fmt = "{1} 규칙 수정",
    .review = "추가 검토",
    .review_unmapped_fmt = "규칙에 연결되지 않은 탐지 {1}건",
    .review_errors_fmt = "도구 오류 {1}건 (검사 중단 {2}건)",
    .review_not_scored = "{1}건은 표시만 하고 점수에서 제외",
    .review_tail = "drift-score.json 참고",
    .review_none = "-",
    .congrats = "🎉 축하합니다! 설계 준수를 잘 하고 있습니다.",
    .footer_fmt = "<sub>SpecGate · 차단 {1}점 이상, 경고 {2}점 이상 · 반영된 위반 {3}건</sub>",
};

const struct radar_text *radar_text_for(enum sg_lang lang)
{
    return lang == SG_LANG_KO ? &text_ko : &text_en;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
size_t radar_utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

void radar_tpl(struct rig_buf *b, const char *tmpl, const char *a1, const char *a2,
               const char *a3)
{
    const char *args[3] = {a1, a2, a3};

    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}') {
            rig_buf_adds(b, args[p[1] - '1'] ? args[p[1] - '1'] : "");
            p += 2;
        } else {
            rig_buf_addch(b, *p);
        }
    }
}

void radar_md_inline(struct rig_buf *b, const char *s, size_t max)
{
    size_t n = radar_utf8_cut(s, max);

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        switch (c) {
        case '\n':
        case '\r':
        case '\t':
            rig_buf_addch(b, ' ');
            break;
        case '<':
            rig_buf_adds(b, "&lt;");
            break;
        case '>':
            rig_buf_adds(b, "&gt;");
            break;
        case '&':
            rig_buf_adds(b, "&amp;");
            break;
        case '@': /* no accidental @mentions ("@Autowired") */
            rig_buf_adds(b, "@&#8203;");
            break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '|':
        case '~':
            rig_buf_addch(b, '\\');
            rig_buf_addch(b, c);
            break;
        default:
            rig_buf_addch(b, c);
        }
    }
    if (n < strlen(s))
        rig_buf_adds(b, "…");
}

void radar_md_authored(struct rig_buf *b, const char *s, size_t max)
{
    size_t n = radar_utf8_cut(s, max);

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
            rig_buf_addch(b, ' ');
        else if (s[i] == '<')
            rig_buf_adds(b, "&lt;");
        else if (s[i] == '|')
            rig_buf_adds(b, "\\|");
        else if (s[i] == '@')
            rig_buf_adds(b, "@&#8203;");
        else
            rig_buf_addch(b, s[i]);
    }
    if (n < strlen(s))
        rig_buf_adds(b, "…");
}

void radar_code_block(struct rig_buf *b, const char *indent, const char *lang, const char *code,
                      size_t max)
{
    size_t run = 0, longest = 0, n = radar_utf8_cut(code, max);
    size_t fence;

    for (size_t i = 0; i < n; i++) {
        run = code[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    fence = longest >= 3 ? longest + 1 : 3;
    rig_buf_adds(b, indent);
    for (size_t i = 0; i < fence; i++)
        rig_buf_addch(b, '`');
    rig_buf_addf(b, "%s\n%s", lang ? lang : "", indent);
    for (size_t i = 0; i < n; i++) {
        if (code[i] == '\r')
            continue;
        rig_buf_addch(b, code[i]);
        if (code[i] == '\n')
            rig_buf_adds(b, indent);
    }
    if (n < strlen(code))
        rig_buf_addf(b, "\n%s…", indent);
    rig_buf_addf(b, "\n%s", indent);
    for (size_t i = 0; i < fence; i++)
        rig_buf_addch(b, '`');
    rig_buf_addch(b, '\n');
}
