"""Japanese translations, keyed by English message id. `make messages` writes the .po file."""

JA = {
    "The request could not be understood": "リクエストを処理できませんでした",
    "This action was refused": "この操作は受け付けられませんでした",
    "Page not found": "ページが見つかりません",
    "This page cannot be used that way": "このページはその方法では利用できません",
    "What you sent is too large": "送信された内容が大きすぎます",
    "Too many requests": "短時間にリクエストが集中しています",
    "Something went wrong on our side": "システムでエラーが発生しました",
    "The service is temporarily unavailable": "ただいまサービスを利用できません",
    "Please go back and try again.": "前のページに戻って、もう一度お試しください。",
    "Your session may have expired, or the page was open for a long time. Please reload the form and try again. Nothing was saved.":
        "ページを長時間開いていたなどの理由で、有効期限が切れた可能性があります。フォームを読み込み直して、もう一度お試しください。内容は保存されていません。",
    "The address may be mistyped, or the page may have been removed.":
        "アドレスが間違っているか、ページが削除された可能性があります。",
    "Please start again from the home page.": "トップページからもう一度お進みください。",
    "Please shorten your text (up to 8,000 characters) and send it again. Nothing was saved.":
        "文章を短くして（8,000文字まで）もう一度送信してください。内容は保存されていません。",
    "Please wait a while and try again.": "しばらく時間をおいてから、もう一度お試しください。",
    "The error has been recorded. Please try again later. Nothing you entered appears in our logs.":
        "エラーは記録されました。時間をおいて、もう一度お試しください。入力された内容は記録に残りません。",
    "Please try again in a few minutes.": "数分後にもう一度お試しください。",
    "The form was open for too long. Please check your entries and send them again.":
        "フォームを開いてから時間が経ちすぎました。入力内容を確認して、もう一度送信してください。",
    "We could not check the CAPTCHA just now. Nothing has been sent; please try again in a few minutes.":
        "ただいまCAPTCHAの確認ができませんでした。まだ送信されていません。数分後にもう一度お試しください。",
    "The CAPTCHA check did not pass. Please complete it and send again.":
        "CAPTCHAの確認ができませんでした。もう一度チェックしてから送信してください。",
    "Organisation name": "団体名",
    "Nickname for contact (for organisations, your department)": "連絡用ニックネーム（団体の場合は所属名）",
    "Email": "Eメール",
    "Phone number": "電話番号",
    "Website URL": "WebサイトURL",
    "Facebook account URL": "FacebookアカウントURL",
    "Twitter (X) account name": "Twitter（X）アカウント名",
    "Catchphrase": "キャッチフレーズ",
    "Category": "カテゴリ",
    "What you want to support": "応援内容",
    "Area of activity": "活動地域",
    "I have read the privacy policy": "個人情報保護方針を確認しました",
    "Please fill in %(field)s.": "「%(field)s」を入力してください。",
    "%(field)s contains characters that cannot be used (such as line breaks or control characters).":
        "「%(field)s」に使えない文字（改行や制御文字など）が含まれています。",
    "%(field)s must be 50 characters or fewer.": "「%(field)s」は50文字以内で入力してください。",
    "%(field)s must be 60 characters or fewer.": "「%(field)s」は60文字以内で入力してください。",
    "%(field)s must be 100 characters or fewer.": "「%(field)s」は100文字以内で入力してください。",
    "%(field)s must be 8,000 characters or fewer.": "「%(field)s」は8,000文字以内で入力してください。",
    "Please enter an email address such as name@example.jp.":
        "Eメールは name@example.jp のような形式で入力してください。",
    "Please enter a Japanese phone number such as 078-322-0000 or 090-1234-5678.":
        "電話番号は 078-322-0000 や 090-1234-5678 のような国内の番号を入力してください。",
    "Please enter a web address starting with http:// or https://.":
        "http:// または https:// で始まるアドレスを入力してください。",
    "Please enter the address of a Facebook page (https://www.facebook.com/…).":
        "FacebookページのURL（https://www.facebook.com/…）を入力してください。",
    "Please enter an account name such as @kobe_ouen, or its x.com address.":
        "@kobe_ouen のようなアカウント名か、x.com のURLを入力してください。",
    "Please choose %(field)s from the list.": "「%(field)s」を一覧から選んでください。",
    "Please read the privacy policy and tick the box to agree.":
        "個人情報保護方針をご確認のうえ、チェックを入れてください。",
    "Children": "子ども",
    "Older people": "高齢者",
    "People with disabilities": "障がい者",
    "Students": "学生",
    "Healthcare workers": "医療従事者",
    "Local community": "地域",
    "Culture, arts and sports": "文化芸術・スポーツ",
    "NPOs": "NPO",
    "Restaurants": "飲食店",
    "Businesses": "事業者",
    "Foreign residents": "外国人",
    "Other": "その他",
    "Higashinada Ward": "東灘区",
    "Nada Ward": "灘区",
    "Chuo Ward": "中央区",
    "Hyogo Ward": "兵庫区",
    "Kita Ward": "北区",
    "Nagata Ward": "長田区",
    "Suma Ward": "須磨区",
    "Tarumi Ward": "垂水区",
    "Nishi Ward": "西区",
    "Whole city": "市内全域",
    "Support Platform": "応援プラットフォーム",
    "Skip to main content": "本文へ移動",
    "Main menu": "メインメニュー",
    "Propose support": "応援したいことを応募する",
    "Privacy policy": "個人情報保護方針",
    "Run by the support platform secretariat of the city.": "運営：応援プラットフォーム運営事務局",
    "Please confirm your proposal (%(ref)s)": "【要確認】応募内容の確認をお願いします（%(ref)s）",
    "Thank you for your proposal to the Support Platform.": "応援プラットフォームへのご応募ありがとうございます。",
    "Proposal: %(title)s": "応募内容：%(title)s",
    "Reference number: %(ref)s": "受付番号：%(ref)s",
    "Please open this link and press the confirmation button to send your proposal to the secretariat:":
        "次のリンクを開き、確認ボタンを押すと、応募内容が運営事務局に届きます。",
    "Confirm my proposal": "応募を確定する",
    "The link is valid for %(hours)s hours. If you do not confirm, your proposal and contact details are deleted after that.":
        "リンクの有効期限は%(hours)s時間です。確認されない場合、応募内容と連絡先はその後削除されます。",
    "What happens next: the secretariat will contact you by email or phone within a few days to hear more about your idea, and may look for collaborators with you.":
        "今後の流れ：数日以内に運営事務局からメールまたは電話でご連絡し、詳しくお話を伺います。必要に応じて協力者探しを一緒に進めます。",
    "If you did not send this proposal, please ignore this message; nothing will be kept.":
        "お心当たりのない場合は、このメールを破棄してください。情報は残りません。",
    "Support Platform secretariat": "応援プラットフォーム運営事務局",
    "Back to the home page": "トップページへ戻る",
    "(required)": "（必須）",
    "(optional)": "（任意）",
    "Error:": "エラー：",
    "Check your entries": "入力内容の確認",
    "Please check what you entered. If everything is right, press “Send”. We will then email you a link to confirm your address.":
        "入力内容をご確認ください。よろしければ「送信する」を押してください。確認用のリンクをメールでお送りします。",
    "Not specified": "指定なし",
    "Back to edit": "戻って修正する",
    "Send": "送信する",
    "Error": "エラー",
    "Tell us what you would like to do to support people in the city. After you confirm your entries, we will send a confirmation link to your email address.":
        "困っている市民等を応援するために、あなたがしたいことを教えてください。入力内容の確認後、確認用のリンクをメールでお送りします。",
    "Development mode: the CAPTCHA check is switched off on this server.":
        "開発モード：このサーバーではCAPTCHAの確認が無効になっています。",
    "Please correct the following": "次の項目を修正してください",
    "Leave this field empty": "この欄には何も入力しないでください",
    "About you": "応募者について",
    "Your contact details are only used by the secretariat to contact you and are never published.":
        "連絡先は運営事務局からの連絡にのみ使い、公開することはありません。",
    "We will send a confirmation link to this address.": "このアドレスに確認用のリンクをお送りします。",
    "For example 078-322-0000 or 090-1234-5678.": "例：078-322-0000、090-1234-5678",
    "Starting with https:// or http://": "https:// または http:// で始まるアドレス",
    "For example https://www.facebook.com/your.page": "例：https://www.facebook.com/your.page",
    "For example @kobe_ouen": "例：@kobe_ouen",
    "Your proposal": "応援したいこと",
    "Up to 60 characters.": "60文字以内",
    "Please choose": "選択してください",
    "Up to 8,000 characters. What would you like to do, for whom, and what help do you need?":
        "8,000文字以内。誰のために、何をしたいか、どんな協力が必要かをお書きください。",
    "Read the privacy policy (opens in a new tab)": "個人情報保護方針を読む（新しいタブで開きます）",
    "Many proposals were sent from this connection or for this email address in the last hour. Nothing new was saved. Please try again later.":
        "この1時間に、この接続またはこのメールアドレスから多数の応募がありました。新しい内容は保存されていません。時間をおいてお試しください。",
    "Please check your email": "メールをご確認ください",
    "Thank you. We have sent a message with a confirmation link to the address you entered.":
        "ありがとうございます。入力されたアドレスに確認用のリンクをお送りしました。",
    "Your proposal reaches the secretariat once you open the link and press the confirmation button. The link is valid for 48 hours; unconfirmed proposals are deleted after that.":
        "リンクを開いて確認ボタンを押すと、応募が運営事務局に届きます。リンクの有効期限は48時間で、確認されなかった応募はその後削除されます。",
    "If no message arrives within a few minutes, please check your spam folder, or send the form again.":
        "数分たってもメールが届かない場合は、迷惑メールフォルダをご確認いただくか、もう一度応募してください。",
    "Confirm your email address": "メールアドレスの確認",
    "Press the button to confirm your address and send your proposal to the secretariat.":
        "ボタンを押すとメールアドレスが確認され、応募内容が運営事務局に届きます。",
    "Thank you, your proposal has been received": "ご応募を受け付けました",
    "Your reference number is %(ref)s.": "受付番号は %(ref)s です。",
    "The secretariat will contact you by email or phone within a few days to hear more about your idea.":
        "数日以内に運営事務局からメールまたは電話でご連絡し、詳しくお話を伺います。",
    "This link has expired": "このリンクは有効期限が切れています",
    "Confirmation links are valid for 48 hours. Please send your proposal again; we will email you a new link.":
        "確認用リンクの有効期限は48時間です。お手数ですが、もう一度応募してください。新しいリンクをお送りします。",
    "This link is not valid": "このリンクは無効です",
    "Please check that you opened the whole link from the email. Unconfirmed proposals are deleted after 48 hours; if yours was, please send it again.":
        "メールのリンクを最後まで正しく開いたかご確認ください。確認されなかった応募は48時間後に削除されます。その場合は、もう一度応募してください。",
    "This link has already been used": "このリンクはすでに使われています",
    "Your email address has already been confirmed and your proposal is with the secretariat. There is nothing more to do.":
        "メールアドレスは確認済みで、応募は運営事務局に届いています。これ以上の操作は必要ありません。",
    "Home": "トップページ",
    "Tell us the support you want to give": "あなたの「応援したいこと」を教えてください",
    "Many people in our city are struggling. If you want to help, tell us what you would like to do. The secretariat will contact you, find collaborators and help turn your idea into a project.":
        "まちには困っている市民等がいます。応援したいという気持ちを「応援したいこと」として応募してください。運営事務局がご連絡し、協力者を探して、具体的な取り組み（プロジェクト）につなげます。",
    "How it works": "応援の流れ",
    "1. Proposals": "① 募集",
    "You tell us what you want to support, choosing one of twelve categories.":
        "12のカテゴリから選んで、応援したいことを応募します。",
    "2. Coordination": "② コーディネート",
    "The secretariat contacts you to hear the details, looks for collaborators and forms a team with you.":
        "運営事務局からご連絡して詳しくお話を伺い、協力者を探してチームをつくります。",
    "3. Spreading the word": "③ 情報発信",
    "Projects that come true are shared as stories, so that the circle of support grows.":
        "実現したプロジェクトを発信し、応援の輪を広げます。",
    "Categories": "カテゴリ",
    "Version %(version)s": "版：%(version)s",
    "What we collect": "収集する情報",
    "Only what the proposal form asks for: a nickname, an email address and a phone number to contact you, optionally your organisation name, website and social media accounts, and the text of your proposal.":
        "応募フォームでお尋ねする項目のみです：連絡用のニックネーム、Eメール、電話番号、任意で団体名・Webサイト・SNSアカウント、そして応募内容です。",
    "Why": "利用目的",
    "The secretariat uses your contact details only to talk to you about your proposal, to find collaborators and, with your consent, to introduce you to them. Nothing is published without your consent.":
        "運営事務局は、応募内容についてのご連絡、協力者探し、ご同意を得たうえでの協力者へのご紹介にのみ連絡先を利用します。ご同意なく公開することはありません。",
    "How we protect it": "安全管理",
    "Contact details are stored encrypted. Staff see them masked and must give a reason to see a value; every such look is recorded in a tamper-evident log.":
        "連絡先は暗号化して保存します。職員には伏せ字で表示され、閲覧には理由の入力が必要です。すべての閲覧は改ざんを検知できる記録に残ります。",
    "How long we keep it": "保存期間",
    "Submissions whose email address is not confirmed are deleted after 48 hours. Contact details of closed cases are deleted after a set period (365 days by default).":
        "メールアドレスが確認されなかった応募は48時間後に削除します。終了した案件の連絡先は一定期間（標準365日）後に削除します。",
    "Your rights": "ご本人の権利",
    "You can ask the secretariat to show, correct or delete your data, and withdraw your proposal at any time.":
        "ご自身の情報の開示・訂正・削除を運営事務局に求めることができ、応募はいつでも取り下げられます。",
}
