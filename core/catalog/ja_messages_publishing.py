"""Japanese translations for writing, reviewing and publishing stories, and the applicant's
consent pages and emails (merged by core/catalog/make_messages.py)."""

JA = {
    # form messages
    "The title must be 100 characters or fewer.": "タイトルは100文字以内で入力してください。",
    "Please write a short summary.": "短い要約を入力してください。",
    "The summary must be 300 characters or fewer.": "要約は300文字以内で入力してください。",
    "Please write the story.": "本文を入力してください。",
    "The story must be 20,000 characters or fewer.": "本文は20,000文字以内で入力してください。",
    "This text contains characters that cannot be used (such as control characters, or line breaks in a one-line field).":
        "使用できない文字（制御文字や、1行の項目の改行など）が含まれています。",
    "The web address may use only lower-case letters a–z, digits and single hyphens (3 to 80 characters), e.g. kobe-food-bank.":
        "ページのアドレスに使えるのは半角の小文字a〜z、数字、ハイフン（連続不可）のみです（3〜80文字、例：kobe-food-bank）。",
    "Another story already uses this web address.": "このページのアドレスは、ほかのストーリーで使われています。",
    "A story can be written only about a verified proposal or its project that is not withdrawn, declined or spam.":
        "ストーリーを書けるのは、メール確認済みで、取り下げ・お断り・スパムでない応募（またはそのプロジェクト）だけです。",
    "A story on the public site cannot be changed. Take it down first; it then goes through review and consent again.":
        "公開中のストーリーは変更できません。先に公開を停止してください。変更後は、もう一度確認と本人の同意を経て公開します。",
    "This step is not possible from the story's current status. Someone may have changed it meanwhile; please look again.":
        "ストーリーの現在の状態では、この操作はできません。ほかの方が変更した可能性があります。画面を開き直してください。",
    "A story must be approved by someone other than its author.": "ストーリーの承認は、執筆者以外の職員が行う必要があります。",
    "Please write what should be changed.": "修正してほしい点を書いてください。",
    "The comment must be 2,000 characters or fewer.": "コメントは2,000文字以内で入力してください。",
    "The story may contain personal data (see the warnings). Remove it, or tick the box to confirm that it may be published.":
        "ストーリーに個人情報が含まれている可能性があります（警告をご覧ください）。削除するか、このまま進めてよいことをチェックボックスで確認してください。",
    "There is no email address for this applicant any more, so they cannot be asked. Publication needs their consent.":
        "この応募者のメールアドレスが残っていないため、確認を依頼できません。公開には本人の同意が必要です。",
    "Someone else changed this story while you were editing it. Your text is below; compare it with the current version and save again.":
        "編集中に、ほかの方がこのストーリーを変更しました。入力した内容は下に残っています。現在の内容と見比べてから、もう一度保存してください。",
    "The story has changed since you opened this page. Please look at it again below before you go on.":
        "このページを開いた後に、ストーリーが変更されました。下の内容をもう一度確認してから操作してください。",
    "Please choose a photo to upload.": "アップロードする写真を選んでください。",
    "The photo must be 5 MB or smaller.": "写真は5MB以下にしてください。",
    "This file is not a JPEG, PNG or WebP photo (or it is damaged).": "このファイルはJPEG・PNG・WebPの写真ではないか、壊れています。",
    "This photo has too many pixels (at most 40 megapixels).": "この写真は画素数が多すぎます（4,000万画素まで）。",
    "A story can have at most 20 photos.": "1つのストーリーに載せられる写真は20枚までです。",
    "Please describe the photo for people who cannot see it.": "写真を見ることができない方のために、写真の説明を入力してください。",
    "The description must be 200 characters or fewer.": "説明は200文字以内で入力してください。",
    "This photo is not part of the story.": "この写真はこのストーリーのものではありません。",
    # statuses
    "Draft": "下書き",
    "Waiting for review": "確認待ち",
    "Changes requested": "修正依頼あり",
    "Approved": "承認済み",
    "Waiting for the applicant's consent": "応募者の同意待ち",
    "Applicant consented": "応募者が同意",
    "On the public site": "公開中",
    "Taken down": "公開停止",
    # fields and warnings
    "Web address": "ページのアドレス",
    "Short summary": "要約",
    "Story": "本文",
    "photo descriptions": "写真の説明",
    "the title": "タイトル",
    "the web address": "ページのアドレス",
    "the summary": "要約",
    "the story": "本文",
    "the photo descriptions": "写真の説明",
    "An email address": "メールアドレス",
    "A phone number": "電話番号",
    "The applicant's nickname": "応募者のニックネーム",
    "The applicant's email address": "応募者のメールアドレス",
    "The applicant's phone number": "応募者の電話番号",
    "The applicant's website address": "応募者のWebサイトのアドレス",
    "The applicant's Facebook account": "応募者のFacebookアカウント",
    "The applicant's X (Twitter) account": "応募者のX（Twitter）アカウント",
    "The name of another project member": "プロジェクトのほかのメンバーの名前",
    "The email address of another project member": "プロジェクトのほかのメンバーのメールアドレス",
    "The phone number of another project member": "プロジェクトのほかのメンバーの電話番号",
    "The website address of another project member": "プロジェクトのほかのメンバーのWebサイトのアドレス",
    "The Facebook account of another project member": "プロジェクトのほかのメンバーのFacebookアカウント",
    "The X (Twitter) account of another project member": "プロジェクトのほかのメンバーのX（Twitter）アカウント",
    "%(what)s appears in %(where)s.": "%(where)sに%(what)sが含まれています。",
    # steps and history
    "Submit for review": "確認を依頼する",
    "Approve": "承認する",
    "Ask the editor for changes": "編集者に修正を依頼する",
    "Ask the applicant for consent": "応募者に公開の同意を依頼する",
    "Publish": "公開する",
    "Take down from the public site": "公開を停止する",
    "Story created": "ストーリーを作成",
    "Story edited": "ストーリーを編集",
    "Photo added": "写真を追加",
    "Photo removed": "写真を削除",
    "Photos reordered": "写真の順番を変更",
    "Submitted for review": "確認を依頼",
    "Changes asked for by the reviewer": "確認者が修正を依頼",
    "Applicant asked for consent": "応募者に同意を依頼",
    "Applicant asked for changes": "応募者が修正を依頼",
    "Put on the public site": "公開",
    "Applicant withdrew consent": "応募者が同意を撤回",
    # staff pages
    "Write a story": "ストーリーを書く",
    "See it on the public site": "公開ページを見る",
    "About proposal": "対象の応募",
    "Written by": "執筆者",
    "Approved by": "承認者",
    "Consent asked for": "同意の依頼日",
    "the link has expired; send the request again": "リンクの有効期限が切れています。もう一度依頼してください",
    "the link is valid until %(date)s": "リンクの有効期限は%(date)sです",
    "Consent withdrawn": "同意の撤回",
    "Last change": "最終更新",
    "The applicant asked for changes": "応募者から修正の依頼があります",
    "The reviewer asked for changes": "確認者から修正の依頼があります",
    "Contact details the applicant may have written are blacked out.": "応募者が書いた可能性のある連絡先は伏せて表示しています。",
    "Possible personal data": "個人情報の可能性",
    "Remove it unless the person has agreed to it being public. Before review and before publication you will be asked to confirm.":
        "本人が公開に同意していない限り、削除してください。確認の依頼と公開の前に、確認を求められます。",
    "Next steps": "次の操作",
    "You wrote this story, so someone else has to approve it.": "このストーリーはあなたが書いたため、承認はほかの職員が行います。",
    "Edit the text": "内容を編集する",
    "What should change": "修正してほしい点",
    "I have checked the warnings above: the story may go ahead as it is.": "上の警告を確認しました。このまま進めて問題ありません。",
    "Send the consent request again": "同意の依頼をもう一度送る",
    "Photos": "写真",
    "Description": "説明",
    "Move up": "前へ移動",
    "Move down": "後ろへ移動",
    "Remove": "削除",
    "No photo yet.": "写真はまだありません。",
    "Add a photo": "写真を追加する",
    "JPEG, PNG or WebP up to 5 MB. It is stored at most 1600 pixels wide or high, without its metadata (camera, date, place). Only photos of people who agreed to them being published.":
        "JPEG・PNG・WebP形式、5MBまで。縦横とも最大1600ピクセルに縮小し、撮影情報（カメラ、日時、位置）を取り除いて保存します。写っている方が公開に同意した写真だけを使ってください。",
    "Photo": "写真",
    "Description for people who cannot see it": "写真を見ることができない方のための説明",
    "Upload the photo": "写真をアップロードする",
    "Preview": "プレビュー",
    "the applicant": "応募者",
    "Edit the story": "ストーリーを編集する",
    "Write a new story": "新しいストーリーを書く",
    "Saving a change sends this story back to review: the approval and the applicant's consent were given to the current text and have to be given again.":
        "変更を保存すると、このストーリーは確認待ちに戻ります。承認と応募者の同意は現在の内容に対するものなので、もう一度必要になります。",
    "Stories are public. Write no names, addresses, email addresses or phone numbers of anyone who has not agreed to it; the page warns you about what it can recognise before review and before publication.":
        "ストーリーは一般に公開されます。公開に同意していない方の名前、住所、メールアドレス、電話番号は書かないでください。確認の依頼と公開の前に、見つかったものを警告します。",
    "The end of the story's address: /projects/… — lower-case letters a–z, digits and hyphens. Leave it empty to have one suggested.":
        "ストーリーのアドレス（/projects/…）の末尾です。半角の小文字a〜z、数字、ハイフンが使えます。空欄にすると自動で提案します。",
    "One or two sentences for the list of projects and for links shared elsewhere (up to 300 characters).":
        "プロジェクト一覧や、SNSなどで共有されたときに表示される1〜2文（300文字以内）。",
    "Markdown: a blank line starts a new paragraph; ## Heading, **bold**, *italic*, - list, > quotation, [text](https://…) for a link. No HTML and no images here: add photos on the story's page.":
        "Markdown形式：空行で段落を分けます。## 見出し、**太字**、*斜体*、- 箇条書き、> 引用、[文字](https://…) でリンク。HTMLと画像は使えません。写真はストーリーのページで追加してください。",
    "Preview (not saved yet)": "プレビュー（まだ保存されていません）",
    "Filter stories": "ストーリーの絞り込み",
    "No story yet.": "ストーリーはまだありません。",
    "No story has this status.": "この状態のストーリーはありません。",
    "A story tells of a proposal that came true, usually through its project. Open the project and choose \"Write a story\", or give the proposal's reference number here.":
        "ストーリーは、実現した応募（多くはそのプロジェクト）を紹介するものです。プロジェクトのページで「ストーリーを書く」を選ぶか、ここに応募の受付番号を入力してください。",
    # emails
    "Please look at the story about your project before it is published (%(ref)s)":
        "公開前に、あなたのプロジェクトのストーリーをご確認ください（%(ref)s）",
    "The secretariat has written a story about your project for the public site of the Support Platform:":
        "運営事務局が、応援プラットフォームの公開サイトに載せるため、あなたのプロジェクトのストーリーを書きました：",
    "Nothing is published without your agreement. Please open this private link to see the story exactly as it would appear, then tell us whether you agree or what should be changed. Nothing happens until you press a button on that page:":
        "あなたの同意なしに公開することはありません。次の非公開のリンクから、公開されるときとまったく同じ形でストーリーをご覧いただき、同意いただけるか、修正してほしい点があるかをお知らせください。そのページのボタンを押すまで、何も行われません：",
    "Look at the story": "ストーリーを確認する",
    "The link works once and is valid for %(days)s days. Please do not forward it.":
        "このリンクは1回だけ、%(days)s日間有効です。ほかの方に転送しないでください。",
    "Even after agreeing you can withdraw your consent at any time; the story is then taken off the site at once.":
        "同意した後でも、いつでも同意を撤回できます。その場合、ストーリーはすぐに公開を停止します。",
    "Your story is now on the public site (%(ref)s)": "ストーリーを公開しました（%(ref)s）",
    "Thank you for agreeing to the publication of the story about your project. It is now on the public site:":
        "プロジェクトのストーリーの公開にご同意いただき、ありがとうございました。公開サイトに掲載しました：",
    "If you no longer want it to be public, you can withdraw your consent at any time with this link. The story is then taken off the site at once. Nothing happens until you press the button on that page:":
        "公開をやめたい場合は、次のリンクからいつでも同意を撤回できます。ストーリーはすぐに公開を停止します。そのページのボタンを押すまで、何も行われません：",
    "Withdraw my consent": "同意を撤回する",
    "Please keep this email and do not forward it: anyone with the link can withdraw the consent.":
        "このメールは大切に保管し、転送しないでください。リンクを知っている人は誰でも同意を撤回できます。",
    # consent pages
    "The secretariat will publish the story soon. You will receive an email when it is on the site, with a link to withdraw your consent at any time.":
        "まもなく運営事務局がストーリーを公開します。公開したときにメールでお知らせします。そのメールには、いつでも同意を撤回できるリンクが記載されています。",
    "Your comment has been passed to the secretariat. They will revise the story and send you a new link to look at it again. Nothing is published in the meantime.":
        "いただいたコメントを運営事務局に伝えました。ストーリーを修正したうえで、もう一度確認いただくための新しいリンクをお送りします。それまで公開されることはありません。",
    "Links to look at a story are valid for 30 days. Nothing has been published. If you would still like to see the story, please contact the secretariat and they will send you a new link.":
        "ストーリー確認のリンクの有効期間は30日です。ストーリーは公開されていません。確認をご希望の場合は、運営事務局にご連絡ください。新しいリンクをお送りします。",
    "It has already been used, or the story has changed since the link was sent (you will then receive a new one). Nothing is published without your agreement. If you have a question, please contact the secretariat.":
        "すでに使われたか、リンクをお送りした後にストーリーが変更されました（その場合は新しいリンクをお送りします）。あなたの同意なしに公開することはありません。ご不明な点は運営事務局にお問い合わせください。",
    "Your story, before it is published": "公開前のストーリーのご確認",
    "The secretariat has written a story about your project for the public site. This is exactly how it will appear there. Nothing is published without your agreement.":
        "運営事務局が、公開サイトに載せるため、あなたのプロジェクトのストーリーを書きました。公開サイトではこのとおりに表示されます。あなたの同意なしに公開することはありません。",
    "This page is private; please do not share its address. The link works once and for %(days)s days.":
        "このページは非公開です。アドレスをほかの方に教えないでください。リンクは1回だけ、%(days)s日間有効です。",
    "Preview of the story": "ストーリーのプレビュー",
    "Your answer": "ご回答",
    "If everything is right, the secretariat will publish the story. You can withdraw your consent at any time afterwards: the email telling you that it is published has a link for that.":
        "問題がなければ、運営事務局がストーリーを公開します。公開後もいつでも同意を撤回できます。公開をお知らせするメールに、そのためのリンクが記載されています。",
    "I agree to publication": "公開に同意する",
    "What should be changed?": "修正してほしい点をお書きください",
    "Up to 2,000 characters. The secretariat will revise the story and ask you again. Please do not write contact details here; the secretariat already has them.":
        "2,000文字まで。運営事務局がストーリーを修正し、もう一度確認をお願いします。連絡先は書かないでください（運営事務局が把握しています）。",
    "Please change something": "修正をお願いする",
    "Withdraw your consent": "同意の撤回",
    "Story: %(title)s": "ストーリー：%(title)s",
    "If you press the button, the story is taken off the public site at once and will not be published again unless you agree anew.":
        "ボタンを押すと、ストーリーはすぐに公開サイトから取り下げられます。あらためて同意いただかない限り、再び公開されることはありません。",
    "Withdraw my consent and take the story down": "同意を撤回して公開を停止する",
    "Keep the story published and go to the home page": "公開を続けたままトップページへ",
    "Your consent has been withdrawn": "同意を撤回しました",
    "The story has been taken off the public site. Thank you for having shared your project.":
        "ストーリーを公開サイトから取り下げました。プロジェクトを紹介させていただき、ありがとうございました。",
    "A social-network account or LINE ID": "SNSのアカウントまたはLINE ID",
}
