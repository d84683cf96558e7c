// i18n/be.json
var be_default = {
  "app.name": "Веча",
  "app.tagline": "Выбары, якія можна праверыць",
  skip: "Перайсці да зместу",
  "lang.label": "Мова",
  "nav.label": "Старонкі",
  "nav.elections": "Выбары",
  "nav.booth": "Галасаваць",
  "nav.board": "Дошка бюлетэняў",
  "nav.turnout": "Яўка",
  "nav.results": "Вынікі",
  loading: "Загрузка…",
  noscript: "Гэтай старонцы патрэбны JavaScript: бюлетэнь шыфруецца ў вашым браўзеры.",
  "error.network": "Не ўдалося злучыцца з урнай для галасавання. Праверце злучэнне і паспрабуйце яшчэ раз.",
  "error.server": "Урна для галасавання адмовіла: {message}",
  "error.no-election": "Выбары не абраныя. Вярніцеся да спісу выбараў.",
  "error.unknown-election": "На гэтай урне няма такіх выбараў.",
  "phase.defined": "ідзе падрыхтоўка",
  "phase.announced": "ідзе падрыхтоўка",
  "phase.confirmed": "ідзе падрыхтоўка",
  "phase.keyed": "ідзе падрыхтоўка",
  "phase.credentialed": "галасаванне яшчэ не адкрытае",
  "phase.open": "галасаванне адкрытае",
  "phase.closed": "галасаванне закрытае",
  "phase.tallied": "ідзе падлік",
  "phase.decrypting": "ідзе падлік",
  "phase.done": "вынікі апублікаваныя",
  "elections.title": "Выбары на гэтай урне",
  "elections.none": "Тут пакуль няма выбараў.",
  "elections.phase": "Стан: {phase}",
  "elections.ballots": "Бюлетэняў на дошцы: {count}",
  "booth.title": "Кабіна для галасавання",
  "booth.not-open": "Галасаванне на гэтых выбарах не адкрытае ({phase}).",
  "booth.step": "Крок {n} з {total}",
  "booth.private": "Бюлетэнь шыфруецца на гэтай прыладзе да адпраўкі. На прыладзе нічога не захоўваецца. Для большай прыватнасці адкрыйце прыватнае акно і зачыніце яго, калі скончыце.",
  "code.title": "Ваш код удзельніка",
  "code.help": "Увядзіце атрыманы код, напрыклад 7QKD-2M9X-G4TB-HN0C-J. Вялікімі ці малымі літарамі, з працяжнікамі ці без. Код не пакідае гэтую прыладу: ім тут толькі падпісваецца ваш бюлетэнь.",
  "code.label": "Код удзельніка",
  "code.continue": "Далей",
  "code.empty": "Увядзіце ваш код удзельніка.",
  "code.typo": "У кодзе памылка: апошні знак не сыходзіцца з астатнімі. Звярыце кожны знак з вашай паперай.",
  "code.wrong-length": "У кодзе ўдзельніка 17 знакаў, а вы ўвялі {detail}. Праверце, ці не прапушчаны ці не паўтораны які-небудзь знак.",
  "code.bad-characters": "У кодзе ўдзельніка не можа быць гэтых знакаў: {detail}. Праверце код.",
  "questions.title": "Ваш выбар",
  "questions.choose-one": "Абярыце адзін варыянт.",
  "questions.choose-up-to": "Абярыце не больш за {max}.",
  "questions.choose-between": "Абярыце ад {min} да {max}.",
  "questions.choose-exactly": "Абярыце роўна {min}.",
  "questions.list-help": "Галасуйце за спіс або за аднаго кандыдата са спісу (голас за кандыдата залічваецца і яго спісу).",
  "questions.list": "Спіс {name}",
  "questions.list-vote": "Голас за спіс {name}",
  "questions.candidates-of": "Кандыдаты спісу {name}",
  "questions.blank": "Пуста (без выбару)",
  "questions.too-few": "{title}: абярыце не менш за {min}.",
  "questions.too-many": "{title}: абярыце не больш за {max}.",
  "questions.continue": "Праверыць выбар",
  "questions.back": "Назад",
  "review.title": "Праверце свой выбар",
  "review.help": "Вось што будзе ў вашым бюлетэні. Пакуль нічога не адпраўлена.",
  "review.blank": "Пуста",
  "review.change": "Змяніць выбар",
  "review.encrypt": "Зашыфраваць бюлетэнь",
  "sealed.title": "Бюлетэнь зашыфраваны",
  "sealed.progress": "Шыфраванне…",
  "sealed.tracker": "Яго код адсочвання:",
  "sealed.help": "Можна адправіць яго зараз. А можна спачатку праверыць: тады кабіна пакажа сакрэтныя лікі гэтага шыфравання, каб вы (або любая праграма) маглі пераканацца, што ў ім ваш выбар. Правераны бюлетэнь ужо не можа быць тайным, таму ён ніколі не адпраўляецца: пасля праверкі кабіна зашыфруе ваш выбар нанова.",
  "sealed.cast": "Адправіць бюлетэнь",
  "sealed.audit": "Спачатку праверыць гэты бюлетэнь",
  "sealed.casting": "Бюлетэнь адпраўляецца…",
  "audit.title": "Праверка зашыфраванага бюлетэня",
  "audit.ok": "Шыфраванне адпавядае вашаму выбару. Гэты бюлетэнь не адпраўлены.",
  "audit.failed": "Шыфраванне НЕ адпавядае паказанаму выбару. Не галасуйце з гэтай прылады і паведаміце арганізатарам. ({message})",
  "audit.contains": "У зашыфраваным бюлетэні:",
  "audit.data": "Даныя праверкі (бюлетэнь і яго выпадковыя лікі) для праверкі іншай праграмай",
  "audit.again": "Зашыфраваць нанова для адпраўкі",
  "done.title": "Ваш бюлетэнь на дошцы",
  "done.receipt": "Урна падпісала квітанцыю пра яго, і подпіс правільны.",
  "done.tracker": "Код адсочвання",
  "done.index": "Месца на дошцы",
  "done.receipt-data": "Падпісаная квітанцыя, каб потым праверыць яе па пратаколе (vecha check-receipt)",
  "done.find": "Знайсці мой бюлетэнь на дошцы",
  "done.revote": "Пазней можна прагаласаваць яшчэ раз з тым жа кодам: лічыцца апошні бюлетэнь, і ён заменіць гэты. Так задумана: калі вас прымусілі галасаваць, прагаласуйце зноў, калі будзеце адны.",
  "done.keep": "Запішыце код адсочвання, калі хочаце потым праверыць, што бюлетэнь улічаны. Па ім нельга даведацца, як вы галасавалі.",
  "done.finish": "Скончыць і ачысціць старонку",
  "cast.unlisted-credential": "Гэтага кода няма ў спісе гэтых выбараў. Праверце код і тое, што гэта вашы выбары.",
  "cast.not-open": "Урна зараз не прымае бюлетэні: галасаванне не адкрытае.",
  "cast.bad-receipt": "Квітанцыя урны не праходзіць праверку ({message}). Магчыма, бюлетэнь не запісаны: паведаміце арганізатарам і паспрабуйце яшчэ раз.",
  "board.title": "Дошка бюлетэняў",
  "board.help": "Усе бюлетэні ў зашыфраваным выглядзе і ўсе крокі выбараў, як яны апублікаваныя. Кожны можа спампаваць гэта і праверыць выбары цалкам.",
  "board.search": "Знайсці код адсочвання",
  "board.search-label": "Код адсочвання",
  "board.search-button": "Знайсці",
  "board.found": "Знойдзены на месцы {index} на дошцы.",
  "board.counts": "Гэта апошні бюлетэнь свайго кода: ён улічваецца.",
  "board.replaced": "Яго замяняе пазнейшы бюлетэнь з тым жа кодам.",
  "board.not-found": "Бюлетэня з такім кодам адсочвання на дошцы няма.",
  "board.bad-tracker": "Код адсочвання складаецца з 64 знакаў 0–9 і a–f.",
  "board.entries": "Запісы {from}–{to} з {height}",
  "board.col-index": "Месца",
  "board.col-type": "Тып",
  "board.col-time": "Час (UTC)",
  "board.col-detail": "Падрабязнасці",
  "board.newer": "Ранейшыя запісы",
  "board.older": "Пазнейшыя запісы",
  "board.checkpoints": "Кантрольныя пункты, падпісаныя дошкай",
  "board.checkpoint": "Запісы да {height}: вяршыня {head}",
  "board.download": "Спампаваць увесь пратакол (zip)",
  "turnout.title": "Яўка",
  "turnout.summary": "Бюлетэняў: {ballots}. Прагаласавалі: {voters} з {credentials}.",
  "turnout.by-hour": "Бюлетэняў за гадзіну (UTC)",
  "turnout.by-day": "Па днях (UTC)",
  "turnout.by-channel": "Па каналах",
  "turnout.col-period": "Перыяд",
  "turnout.col-channel": "Канал",
  "turnout.col-ballots": "Бюлетэні",
  "turnout.col-voters": "Выбаршчыкі",
  "turnout.none": "Бюлетэняў пакуль няма.",
  "turnout.live": "Абнаўляецца кожныя некалькі секунд, пакуль ідзе галасаванне.",
  "turnout.chart": "Слупковая дыяграма бюлетэняў па гадзінах",
  "channel.web": "вэб",
  "channel.app": "праграма",
  "results.title": "Вынікі",
  "results.none": "Вынікі яшчэ не апублікаваныя.",
  "results.counted": "Улічана бюлетэняў: {counted}",
  "results.seats": "Месцы",
  "results.col-list": "Спіс",
  "results.col-votes": "Галасы",
  "results.col-seats": "Месцы",
  "results.col-option": "Варыянт",
  "results.elected": "Абраныя",
  "results.elected-by-preference": "{name} (прэферэнцыйных галасоў: {votes})",
  "results.elected-by-list": "{name} (па парадку спісу)",
  "results.vacant": "Незанятых месцаў: {count}",
  "results.below-threshold": "ніжэй за бар'ер",
  "results.blank": "Пустых бюлетэняў: {count}",
  "results.chart": "Слупковая дыяграма месцаў па спісах",
  "results.verify-title": "Праверце гэтыя выбары самі",
  "results.verify-help": "Спампуйце пратакол і запусціце на ім незалежную праграму праверкі. Яна нанова правярае доказы кожнага бюлетэня, падлік, расшыфроўку і размеркаванне месцаў, не давяраючы ніводнаму серверу.",
  "results.download": "Спампаваць пратакол (zip)",
  "booth.fingerprint": "Адбітак выбараў: {fingerprint}. Кабіна праверыла па ім ключ выбараў; параўнайце яго з тым, што апублікавалі арганізатары.",
  "error.package-mismatch": "Урна апісвае гэтыя выбары інакш, чым іх уласны пакет выбараў. Не галасуйце тут; паведаміце арганізатарам.",
  "entry.election": "выбары",
  "entry.trustee": "ключ даверанай асобы",
  "entry.trustee-confirmation": "пацвярджэнне даверанай асобы",
  "entry.joint-key": "ключ выбараў",
  "entry.credentials": "коды ўдзельнікаў",
  "entry.open": "пачатак галасавання",
  "entry.ballot": "бюлетэнь",
  "entry.close": "канец галасавання",
  "entry.tally": "падлік",
  "entry.decryption": "частковая расшыфроўка",
  "entry.result": "вынік"
};

// i18n/en.json
var en_default = {
  "app.name": "Vecha",
  "app.tagline": "Verifiable elections",
  skip: "Skip to the content",
  "lang.label": "Language",
  "nav.label": "Pages",
  "nav.elections": "Elections",
  "nav.booth": "Vote",
  "nav.board": "Bulletin board",
  "nav.turnout": "Turnout",
  "nav.results": "Results",
  loading: "Loading…",
  noscript: "This page needs JavaScript: your ballot is encrypted in your browser.",
  "error.network": "The ballot box could not be reached. Check your connection and try again.",
  "error.server": "The ballot box refused: {message}",
  "error.no-election": "No election was chosen. Go back to the list of elections.",
  "error.unknown-election": "There is no such election on this ballot box.",
  "phase.defined": "being prepared",
  "phase.announced": "being prepared",
  "phase.confirmed": "being prepared",
  "phase.keyed": "being prepared",
  "phase.credentialed": "not open yet",
  "phase.open": "voting is open",
  "phase.closed": "voting is closed",
  "phase.tallied": "being counted",
  "phase.decrypting": "being counted",
  "phase.done": "result published",
  "elections.title": "Elections on this ballot box",
  "elections.none": "There are no elections here yet.",
  "elections.phase": "Status: {phase}",
  "elections.ballots": "Ballots on the board: {count}",
  "booth.title": "Voting booth",
  "booth.not-open": "Voting is not open for this election ({phase}).",
  "booth.step": "Step {n} of {total}",
  "booth.private": "Your ballot is encrypted on this device before it is sent. Nothing is stored on this device. For more privacy, use a private window and close it when you are done.",
  "code.title": "Your credential code",
  "code.help": "Type the code you received, for example 7QKD-2M9X-G4TB-HN0C-J. Capital or small letters, with or without dashes. The code never leaves this device: it only signs your ballot here.",
  "code.label": "Credential code",
  "code.continue": "Continue",
  "code.empty": "Type your credential code.",
  "code.typo": "This code has a typo: its last character does not match the others. Check each character against your paper.",
  "code.wrong-length": "A credential code has 17 characters; you typed {detail}. Check that none is missing or doubled.",
  "code.bad-characters": "A credential code cannot contain these characters: {detail}. Check the code.",
  "questions.title": "Your choices",
  "questions.choose-one": "Choose one.",
  "questions.choose-up-to": "Choose up to {max}.",
  "questions.choose-between": "Choose between {min} and {max}.",
  "questions.choose-exactly": "Choose exactly {min}.",
  "questions.list-help": "Vote for a list, or for one candidate of a list (a vote for a candidate also counts for their list).",
  "questions.list": "List {name}",
  "questions.list-vote": "Vote for the list {name}",
  "questions.candidates-of": "Candidates of {name}",
  "questions.blank": "Blank (no choice)",
  "questions.too-few": "{title}: choose at least {min}.",
  "questions.too-many": "{title}: choose at most {max}.",
  "questions.continue": "Review my choices",
  "questions.back": "Back",
  "review.title": "Check your choices",
  "review.help": "This is what your ballot will say. Nothing has been sent yet.",
  "review.blank": "Blank",
  "review.change": "Change my choices",
  "review.encrypt": "Encrypt my ballot",
  "sealed.title": "Your ballot is encrypted",
  "sealed.progress": "Encrypting…",
  "sealed.tracker": "Its tracking code:",
  "sealed.help": "You can cast it now. Or you can audit it first: the booth then shows you the secret numbers of this encryption, so that you (or any program) can check that it holds your choices. An audited ballot can no longer be secret, so it is never cast: the booth encrypts your choices again afterwards.",
  "sealed.cast": "Cast my ballot",
  "sealed.audit": "Audit this ballot instead",
  "sealed.casting": "Sending your ballot…",
  "audit.title": "Audit of the encrypted ballot",
  "audit.ok": "The encryption matches your choices. This ballot has not been cast.",
  "audit.failed": "The encryption does NOT match the choices shown. Do not vote on this device; tell the organizers. ({message})",
  "audit.contains": "The encrypted ballot contains:",
  "audit.data": "Audit data (the ballot and its randomness), for checking with another program",
  "audit.again": "Encrypt again to cast",
  "done.title": "Your ballot is on the board",
  "done.receipt": "The ballot box has signed a receipt for it, and the signature is correct.",
  "done.tracker": "Tracking code",
  "done.index": "Position on the board",
  "done.receipt-data": "The signed receipt, to check later with the record (vecha check-receipt)",
  "done.find": "Find my ballot on the bulletin board",
  "done.revote": "You can vote again later with the same code: your last ballot is the one that counts, and it replaces this one. This is on purpose: if anyone forced you to vote, vote again when you are alone.",
  "done.keep": "Note the tracking code if you want to check later that your ballot was counted. It does not show how you voted.",
  "done.finish": "Finish and clear the page",
  "cast.unlisted-credential": "This credential code is not on this election's list. Check the code, and that this is your election.",
  "cast.not-open": "The ballot box takes no ballots now: voting is not open.",
  "cast.bad-receipt": "The ballot box's receipt does not check out ({message}). Your ballot may not have been recorded: tell the organizers and try again.",
  "board.title": "Bulletin board",
  "board.help": "Every ballot, encrypted, and every step of the election, as published. Anyone can download it and verify the whole election.",
  "board.search": "Find a tracking code",
  "board.search-label": "Tracking code",
  "board.search-button": "Find",
  "board.found": "Found at position {index} on the board.",
  "board.counts": "It is the last ballot of its credential: it counts.",
  "board.replaced": "A later ballot of the same credential replaces it.",
  "board.not-found": "No ballot with this tracking code is on the board.",
  "board.bad-tracker": "A tracking code has 64 characters from 0–9 and a–f.",
  "board.entries": "Entries {from}–{to} of {height}",
  "board.col-index": "Position",
  "board.col-type": "Type",
  "board.col-time": "Time (UTC)",
  "board.col-detail": "Detail",
  "board.newer": "Earlier entries",
  "board.older": "Later entries",
  "board.checkpoints": "Checkpoints signed by the board",
  "board.checkpoint": "Entries up to {height}: head {head}",
  "board.download": "Download the whole record (zip)",
  "turnout.title": "Turnout",
  "turnout.summary": "Ballots: {ballots}. Voters: {voters} of {credentials}.",
  "turnout.by-hour": "Ballots per hour (UTC)",
  "turnout.by-day": "Per day (UTC)",
  "turnout.by-channel": "Per channel",
  "turnout.col-period": "Period",
  "turnout.col-channel": "Channel",
  "turnout.col-ballots": "Ballots",
  "turnout.col-voters": "Voters",
  "turnout.none": "No ballots yet.",
  "turnout.live": "Updates every few seconds while voting is open.",
  "turnout.chart": "Bar chart of ballots per hour",
  "channel.web": "web",
  "channel.app": "app",
  "results.title": "Results",
  "results.none": "The result is not published yet.",
  "results.counted": "Ballots counted: {counted}",
  "results.seats": "Seats",
  "results.col-list": "List",
  "results.col-votes": "Votes",
  "results.col-seats": "Seats",
  "results.col-option": "Choice",
  "results.elected": "Elected",
  "results.elected-by-preference": "{name} (preference votes: {votes})",
  "results.elected-by-list": "{name} (list order)",
  "results.vacant": "Seats left vacant: {count}",
  "results.below-threshold": "below the threshold",
  "results.blank": "Blank ballots: {count}",
  "results.chart": "Bar chart of seats per list",
  "results.verify-title": "Verify this election yourself",
  "results.verify-help": "Download the record, then run the independent verifier on it. It rechecks every ballot's proofs, the count, the decryption and the seats, trusting no server.",
  "results.download": "Download the record (zip)",
  "booth.fingerprint": "Election fingerprint: {fingerprint}. This booth checked the election's key against it; compare it with the one the organizers published.",
  "error.package-mismatch": "The ballot box describes this election differently from its own election package. Do not vote here; tell the organizers.",
  "entry.election": "election",
  "entry.trustee": "trustee's key",
  "entry.trustee-confirmation": "trustee's confirmation",
  "entry.joint-key": "election key",
  "entry.credentials": "credentials",
  "entry.open": "voting opens",
  "entry.ballot": "ballot",
  "entry.close": "voting closes",
  "entry.tally": "tally",
  "entry.decryption": "partial decryption",
  "entry.result": "result"
};

// i18n/ru.json
var ru_default = {
  "app.name": "Веча",
  "app.tagline": "Проверяемые выборы",
  skip: "Перейти к содержанию",
  "lang.label": "Язык",
  "nav.label": "Страницы",
  "nav.elections": "Выборы",
  "nav.booth": "Голосовать",
  "nav.board": "Доска бюллетеней",
  "nav.turnout": "Явка",
  "nav.results": "Итоги",
  loading: "Загрузка…",
  noscript: "Этой странице нужен JavaScript: бюллетень шифруется в вашем браузере.",
  "error.network": "Не удалось связаться с урной для голосования. Проверьте подключение и попробуйте ещё раз.",
  "error.server": "Урна для голосования отказала: {message}",
  "error.no-election": "Выборы не выбраны. Вернитесь к списку выборов.",
  "error.unknown-election": "На этой урне нет таких выборов.",
  "phase.defined": "идёт подготовка",
  "phase.announced": "идёт подготовка",
  "phase.confirmed": "идёт подготовка",
  "phase.keyed": "идёт подготовка",
  "phase.credentialed": "голосование ещё не открыто",
  "phase.open": "голосование открыто",
  "phase.closed": "голосование закрыто",
  "phase.tallied": "идёт подсчёт",
  "phase.decrypting": "идёт подсчёт",
  "phase.done": "итоги опубликованы",
  "elections.title": "Выборы на этой урне",
  "elections.none": "Здесь пока нет выборов.",
  "elections.phase": "Состояние: {phase}",
  "elections.ballots": "Бюллетеней на доске: {count}",
  "booth.title": "Кабина для голосования",
  "booth.not-open": "Голосование на этих выборах не открыто ({phase}).",
  "booth.step": "Шаг {n} из {total}",
  "booth.private": "Бюллетень шифруется на этом устройстве до отправки. На устройстве ничего не сохраняется. Для большей приватности откройте приватное окно и закройте его, когда закончите.",
  "code.title": "Ваш код участника",
  "code.help": "Введите полученный код, например 7QKD-2M9X-G4TB-HN0C-J. Заглавными или строчными буквами, с дефисами или без. Код не покидает это устройство: им здесь только подписывается ваш бюллетень.",
  "code.label": "Код участника",
  "code.continue": "Продолжить",
  "code.empty": "Введите ваш код участника.",
  "code.typo": "В коде опечатка: последний знак не сходится с остальными. Сверьте каждый знак с вашей бумагой.",
  "code.wrong-length": "В коде участника 17 знаков, а вы ввели {detail}. Проверьте, не пропущен ли или не повторён ли какой-нибудь знак.",
  "code.bad-characters": "В коде участника не может быть этих знаков: {detail}. Проверьте код.",
  "questions.title": "Ваш выбор",
  "questions.choose-one": "Выберите один вариант.",
  "questions.choose-up-to": "Выберите не больше {max}.",
  "questions.choose-between": "Выберите от {min} до {max}.",
  "questions.choose-exactly": "Выберите ровно {min}.",
  "questions.list-help": "Голосуйте за список или за одного кандидата из списка (голос за кандидата засчитывается и его списку).",
  "questions.list": "Список {name}",
  "questions.list-vote": "Голос за список {name}",
  "questions.candidates-of": "Кандидаты списка {name}",
  "questions.blank": "Пусто (без выбора)",
  "questions.too-few": "{title}: выберите не меньше {min}.",
  "questions.too-many": "{title}: выберите не больше {max}.",
  "questions.continue": "Проверить выбор",
  "questions.back": "Назад",
  "review.title": "Проверьте свой выбор",
  "review.help": "Вот что будет в вашем бюллетене. Пока ничего не отправлено.",
  "review.blank": "Пусто",
  "review.change": "Изменить выбор",
  "review.encrypt": "Зашифровать бюллетень",
  "sealed.title": "Бюллетень зашифрован",
  "sealed.progress": "Шифрование…",
  "sealed.tracker": "Его код отслеживания:",
  "sealed.help": "Можно отправить его сейчас. А можно сначала проверить: тогда кабина покажет секретные числа этого шифрования, чтобы вы (или любая программа) могли убедиться, что в нём ваш выбор. Проверенный бюллетень уже не может быть тайным, поэтому он никогда не отправляется: после проверки кабина зашифрует ваш выбор заново.",
  "sealed.cast": "Отправить бюллетень",
  "sealed.audit": "Сначала проверить этот бюллетень",
  "sealed.casting": "Бюллетень отправляется…",
  "audit.title": "Проверка зашифрованного бюллетеня",
  "audit.ok": "Шифрование соответствует вашему выбору. Этот бюллетень не отправлен.",
  "audit.failed": "Шифрование НЕ соответствует показанному выбору. Не голосуйте с этого устройства и сообщите организаторам. ({message})",
  "audit.contains": "В зашифрованном бюллетене:",
  "audit.data": "Данные проверки (бюллетень и его случайные числа) для проверки другой программой",
  "audit.again": "Зашифровать заново для отправки",
  "done.title": "Ваш бюллетень на доске",
  "done.receipt": "Урна подписала квитанцию о нём, и подпись верна.",
  "done.tracker": "Код отслеживания",
  "done.index": "Место на доске",
  "done.receipt-data": "Подписанная квитанция, чтобы потом проверить её по протоколу (vecha check-receipt)",
  "done.find": "Найти мой бюллетень на доске",
  "done.revote": "Позже можно проголосовать ещё раз с тем же кодом: считается последний бюллетень, и он заменит этот. Так задумано: если вас заставили голосовать, проголосуйте снова, когда будете одни.",
  "done.keep": "Запишите код отслеживания, если хотите потом проверить, что бюллетень учтён. По нему нельзя узнать, как вы голосовали.",
  "done.finish": "Завершить и очистить страницу",
  "cast.unlisted-credential": "Этого кода нет в списке этих выборов. Проверьте код и то, что это ваши выборы.",
  "cast.not-open": "Урна сейчас не принимает бюллетени: голосование не открыто.",
  "cast.bad-receipt": "Квитанция урны не проходит проверку ({message}). Возможно, бюллетень не записан: сообщите организаторам и попробуйте ещё раз.",
  "board.title": "Доска бюллетеней",
  "board.help": "Все бюллетени в зашифрованном виде и все шаги выборов, как они опубликованы. Любой может скачать это и проверить выборы целиком.",
  "board.search": "Найти код отслеживания",
  "board.search-label": "Код отслеживания",
  "board.search-button": "Найти",
  "board.found": "Найден на месте {index} на доске.",
  "board.counts": "Это последний бюллетень своего кода: он учитывается.",
  "board.replaced": "Его заменяет более поздний бюллетень с тем же кодом.",
  "board.not-found": "Бюллетеня с таким кодом отслеживания на доске нет.",
  "board.bad-tracker": "Код отслеживания состоит из 64 знаков 0–9 и a–f.",
  "board.entries": "Записи {from}–{to} из {height}",
  "board.col-index": "Место",
  "board.col-type": "Тип",
  "board.col-time": "Время (UTC)",
  "board.col-detail": "Подробности",
  "board.newer": "Более ранние записи",
  "board.older": "Более поздние записи",
  "board.checkpoints": "Контрольные точки, подписанные доской",
  "board.checkpoint": "Записи до {height}: вершина {head}",
  "board.download": "Скачать весь протокол (zip)",
  "turnout.title": "Явка",
  "turnout.summary": "Бюллетеней: {ballots}. Проголосовали: {voters} из {credentials}.",
  "turnout.by-hour": "Бюллетеней в час (UTC)",
  "turnout.by-day": "По дням (UTC)",
  "turnout.by-channel": "По каналам",
  "turnout.col-period": "Период",
  "turnout.col-channel": "Канал",
  "turnout.col-ballots": "Бюллетени",
  "turnout.col-voters": "Избиратели",
  "turnout.none": "Бюллетеней пока нет.",
  "turnout.live": "Обновляется каждые несколько секунд, пока идёт голосование.",
  "turnout.chart": "Столбчатая диаграмма бюллетеней по часам",
  "channel.web": "веб",
  "channel.app": "приложение",
  "results.title": "Итоги",
  "results.none": "Итоги ещё не опубликованы.",
  "results.counted": "Учтено бюллетеней: {counted}",
  "results.seats": "Места",
  "results.col-list": "Список",
  "results.col-votes": "Голоса",
  "results.col-seats": "Места",
  "results.col-option": "Вариант",
  "results.elected": "Избраны",
  "results.elected-by-preference": "{name} (преференциальных голосов: {votes})",
  "results.elected-by-list": "{name} (по порядку списка)",
  "results.vacant": "Незанятых мест: {count}",
  "results.below-threshold": "ниже барьера",
  "results.blank": "Пустых бюллетеней: {count}",
  "results.chart": "Столбчатая диаграмма мест по спискам",
  "results.verify-title": "Проверьте эти выборы сами",
  "results.verify-help": "Скачайте протокол и запустите на нём независимую программу проверки. Она заново проверяет доказательства каждого бюллетеня, подсчёт, расшифровку и распределение мест, не доверяя никакому серверу.",
  "results.download": "Скачать протокол (zip)",
  "booth.fingerprint": "Отпечаток выборов: {fingerprint}. Кабина проверила по нему ключ выборов; сравните его с тем, что опубликовали организаторы.",
  "error.package-mismatch": "Урна описывает эти выборы иначе, чем их собственный пакет выборов. Не голосуйте здесь; сообщите организаторам.",
  "entry.election": "выборы",
  "entry.trustee": "ключ доверенного лица",
  "entry.trustee-confirmation": "подтверждение доверенного лица",
  "entry.joint-key": "ключ выборов",
  "entry.credentials": "коды участников",
  "entry.open": "начало голосования",
  "entry.ballot": "бюллетень",
  "entry.close": "конец голосования",
  "entry.tally": "подсчёт",
  "entry.decryption": "частичная расшифровка",
  "entry.result": "итог"
};

// src/ui.js
var CATALOGS = { be: be_default, ru: ru_default, en: en_default };
var LANGUAGE_NAMES = { be: "Беларуская", ru: "Русский", en: "English" };
var params = new URLSearchParams(location.search);
var electionId = params.get("election");
function initialLanguage() {
  const asked = params.get("lang");
  if (asked && asked in CATALOGS) return asked;
  for (const l of navigator.languages ?? []) {
    const short = l.slice(0, 2).toLowerCase();
    if (short in CATALOGS) return short;
  }
  return "en";
}
var language = initialLanguage();
var listeners = [];
function t(key, vars = {}) {
  const text = CATALOGS[language][key] ?? CATALOGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => name in vars ? String(vars[name]) : `{${name}}`);
}
function local(text, definition) {
  if (text === null || text === void 0) return "";
  if (typeof text === "string") return text;
  if (language in text) return text[language];
  const listed = (definition?.languages ?? []).find((l) => l in text);
  if (listed !== void 0) return text[listed];
  const first = Object.keys(text).sort()[0];
  return first === void 0 ? "" : text[first];
}
var listName = (list, definition) => list.text ? local(list.text, definition) : list.name;
function candidateName(list, name, definition) {
  const text = list.candidate_text?.[name];
  return text ? local(text, definition) : name;
}
function optionName(question, option, definition) {
  if (question.kind === "choice") return option.text ? local(option.text, definition) : option.label;
  const list = question.lists[option.list];
  if (option.candidate === void 0) return listName(list, definition);
  return `${listName(list, definition)} / ${candidateName(list, option.candidate, definition)}`;
}
function setLanguage(lang) {
  language = lang;
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url);
  document.documentElement.lang = lang;
  for (const f of listeners) f();
  document.querySelector(`.languages button[lang="${lang}"]`)?.focus();
}
var onLanguageChange = (f) => listeners.push(f);
function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(
    tag === "svg" || attrs.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
    tag
  );
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "svg" || v === null || v === void 0 || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  node.append(...present(children));
  return node;
}
function fill(node, ...children) {
  node.replaceChildren(...present(children));
  return node;
}
var present = (children) => children.flat(Infinity).filter((c) => c !== null && c !== void 0 && c !== false);
function pageUrl(page, extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ election: electionId, ...extra, lang: language })) {
    if (v !== null && v !== void 0) q.set(k, v);
  }
  return `/${page}?${q}`;
}
var ApiError = class extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
};
async function api(path, body) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: body === void 0 ? "GET" : "POST",
      headers: body === void 0 ? {} : { "content-type": "application/json" },
      body: body === void 0 ? void 0 : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer"
    });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error ?? "error", data.message ?? response.statusText);
  return data;
}
function renderFrame(active) {
  const header = document.getElementById("site-header");
  const pages = electionId ? [
    ["booth.html", "nav.booth"],
    ["board.html", "nav.board"],
    ["turnout.html", "nav.turnout"],
    ["results.html", "nav.results"]
  ] : [];
  const nav = el(
    "nav",
    { "aria-label": t("nav.label") },
    el(
      "ul",
      {},
      el("li", {}, el("a", { href: pageUrl("", { election: null }), "aria-current": active === "index.html" ? "page" : null }, t("nav.elections"))),
      pages.map(
        ([page, key]) => el("li", {}, el("a", { href: pageUrl(page), "aria-current": active === page ? "page" : null }, t(key)))
      )
    )
  );
  const langs = el(
    "div",
    { class: "languages", role: "group", "aria-label": t("lang.label") },
    Object.entries(LANGUAGE_NAMES).map(
      ([code, name]) => el(
        "button",
        { type: "button", lang: code, "aria-pressed": code === language ? "true" : "false", onclick: () => setLanguage(code) },
        name
      )
    )
  );
  fill(
    header,
    el("a", { class: "skip", href: "#main" }, t("skip")),
    el("div", { class: "brand" }, el("span", { class: "name" }, t("app.name")), el("span", { class: "tagline" }, t("app.tagline"))),
    nav,
    langs
  );
  document.documentElement.lang = language;
}
function errorBox(message) {
  return el("p", { class: "error", role: "alert" }, message);
}
function startPage(active, render) {
  const draw = () => {
    renderFrame(active);
    render();
  };
  onLanguageChange(draw);
  draw();
}
async function loadElection() {
  if (!electionId) throw new ApiError(0, "no-election", t("error.no-election"));
  try {
    return await api(`/elections/${encodeURIComponent(electionId)}`);
  } catch (e) {
    if (e.status === 404) throw new ApiError(404, "unknown-election", t("error.unknown-election"));
    throw e;
  }
}
var phaseText = (phase) => t(`phase.${phase}`);

export {
  t,
  local,
  listName,
  candidateName,
  optionName,
  el,
  fill,
  pageUrl,
  ApiError,
  api,
  errorBox,
  startPage,
  loadElection,
  phaseText
};
